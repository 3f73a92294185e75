/**
 * The etcd v3 messages the poller sends and reads, with the field numbers of
 * etcd 3.5's api/etcdserverpb/rpc.proto. Decoded shapes use the proto field
 * names and decimal strings for 64-bit numbers, as etcd3 (protobufjs) does,
 * so either client's answers read the same.
 */
import { ProtoWriter, asInt64, asString, asVarint, asBytes, readFields, type FieldValue } from './proto-wire.js';

export const METHODS = {
  status: '/etcdserverpb.Maintenance/Status',
  range: '/etcdserverpb.KV/Range',
  memberList: '/etcdserverpb.Cluster/MemberList',
  authenticate: '/etcdserverpb.Auth/Authenticate',
  snapshot: '/etcdserverpb.Maintenance/Snapshot',
} as const;

export interface ResponseHeader {
  cluster_id: string;
  member_id: string;
  revision: string;
  raft_term: string;
}

export interface StatusResponse {
  header: ResponseHeader;
  version: string;
  dbSize: string;
  leader: string;
  raftIndex: string;
  raftTerm: string;
  raftAppliedIndex: string;
  errors: string[];
  dbSizeInUse: string;
  isLearner: boolean;
}

export interface RangeResponse {
  header: ResponseHeader;
  /** Number of keys in the range (all of them, not only those returned). */
  count: string;
  more: boolean;
}

export interface Member {
  ID: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface MemberListResponse {
  header: ResponseHeader;
  members: Member[];
}

export interface RangeRequest {
  key: string | Uint8Array;
  rangeEnd?: string | Uint8Array;
  limit?: number;
  keysOnly?: boolean;
  countOnly?: boolean;
  /** false (the default) makes the read go through raft: a quorum read. */
  serializable?: boolean;
}

export function encodeStatusRequest(): Buffer {
  return Buffer.alloc(0);
}

export function encodeRangeRequest(request: RangeRequest): Buffer {
  return new ProtoWriter()
    .bytes(1, request.key)
    .bytes(2, request.rangeEnd ?? '')
    .int64(3, request.limit ?? 0)
    .bool(7, request.serializable ?? false)
    .bool(8, request.keysOnly ?? false)
    .bool(9, request.countOnly ?? false)
    .finish();
}

export function encodeMemberListRequest(request: { linearizable: boolean }): Buffer {
  return new ProtoWriter().bool(1, request.linearizable).finish();
}

export function encodeAuthenticateRequest(request: { name: string; password: string }): Buffer {
  return new ProtoWriter().bytes(1, request.name).bytes(2, request.password).finish();
}

function emptyHeader(): ResponseHeader {
  return { cluster_id: '0', member_id: '0', revision: '0', raft_term: '0' };
}

export function decodeResponseHeader(message: Buffer): ResponseHeader {
  const header = emptyHeader();
  readFields(message, (field, value) => {
    if (field === 1) header.cluster_id = uint64(value, 'cluster_id');
    else if (field === 2) header.member_id = uint64(value, 'member_id');
    else if (field === 3) header.revision = int64(value, 'revision');
    else if (field === 4) header.raft_term = uint64(value, 'raft_term');
  });
  return header;
}

export function decodeStatusResponse(message: Buffer): StatusResponse {
  const status: StatusResponse = {
    header: emptyHeader(),
    version: '',
    dbSize: '0',
    leader: '0',
    raftIndex: '0',
    raftTerm: '0',
    raftAppliedIndex: '0',
    errors: [],
    dbSizeInUse: '0',
    isLearner: false,
  };
  readFields(message, (field, value) => {
    if (field === 1) status.header = decodeResponseHeader(asBytes(value, 'header'));
    else if (field === 2) status.version = asString(value, 'version');
    else if (field === 3) status.dbSize = int64(value, 'dbSize');
    else if (field === 4) status.leader = uint64(value, 'leader');
    else if (field === 5) status.raftIndex = uint64(value, 'raftIndex');
    else if (field === 6) status.raftTerm = uint64(value, 'raftTerm');
    else if (field === 7) status.raftAppliedIndex = uint64(value, 'raftAppliedIndex');
    else if (field === 8) status.errors.push(asString(value, 'errors'));
    else if (field === 9) status.dbSizeInUse = int64(value, 'dbSizeInUse');
    else if (field === 10) status.isLearner = asVarint(value, 'isLearner') !== 0n;
  });
  return status;
}

/** The keys and values themselves are not read: the poller only needs to know the read was served. */
export function decodeRangeResponse(message: Buffer): RangeResponse {
  const range: RangeResponse = { header: emptyHeader(), count: '0', more: false };
  readFields(message, (field, value) => {
    if (field === 1) range.header = decodeResponseHeader(asBytes(value, 'header'));
    else if (field === 3) range.more = asVarint(value, 'more') !== 0n;
    else if (field === 4) range.count = int64(value, 'count');
  });
  return range;
}

export function decodeMemberListResponse(message: Buffer): MemberListResponse {
  const list: MemberListResponse = { header: emptyHeader(), members: [] };
  readFields(message, (field, value) => {
    if (field === 1) list.header = decodeResponseHeader(asBytes(value, 'header'));
    else if (field === 2) list.members.push(decodeMember(asBytes(value, 'members')));
  });
  return list;
}

export function decodeMember(message: Buffer): Member {
  const member: Member = { ID: '0', name: '', peerURLs: [], clientURLs: [], isLearner: false };
  readFields(message, (field, value) => {
    if (field === 1) member.ID = uint64(value, 'ID');
    else if (field === 2) member.name = asString(value, 'name');
    else if (field === 3) member.peerURLs.push(asString(value, 'peerURLs'));
    else if (field === 4) member.clientURLs.push(asString(value, 'clientURLs'));
    else if (field === 5) member.isLearner = asVarint(value, 'isLearner') !== 0n;
  });
  return member;
}

export function decodeAuthenticateResponse(message: Buffer): { header: ResponseHeader; token: string } {
  const answer = { header: emptyHeader(), token: '' };
  readFields(message, (field, value) => {
    if (field === 1) answer.header = decodeResponseHeader(asBytes(value, 'header'));
    else if (field === 2) answer.token = asString(value, 'token');
  });
  return answer;
}

function uint64(value: FieldValue, what: string): string {
  return asVarint(value, what).toString();
}

function int64(value: FieldValue, what: string): string {
  return asInt64(value, what).toString();
}
