/** The systemd unit of bootstrap runbook step 8, with the node's paths and service user. */
export interface UnitInput {
  user: string;
  group: string;
  configFile: string;
  etcdBinary: string;
}

export function renderSystemdUnit(input: UnitInput): string {
  return `[Unit]
Description=etcd key-value store
Documentation=https://etcd.io/docs/
After=network-online.target
Wants=network-online.target

[Service]
User=${input.user}
Group=${input.group}
Type=notify
Environment="ETCD_CONFIG_FILE=${input.configFile}"
ExecStart=${input.etcdBinary}
Restart=always
RestartSec=10s
LimitNOFILE=40000
TimeoutStartSec=0

[Install]
WantedBy=multi-user.target
`;
}
