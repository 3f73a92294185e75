/** etcd, etcdctl and etcdutl 3.5 on this machine (found by the adapters). */
export interface EtcdBinaries {
  etcd: string;
  etcdctl: string;
  etcdutl: string;
  version: string;
}
