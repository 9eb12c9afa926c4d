/**
 * Files as Slack's external upload makes them (docs.slack.dev/reference/methods/files.getUploadURLExternal
 * and files.completeUploadExternal): files.getUploadURLExternal reserves a file id and an upload
 * URL, the app POSTs the bytes there (upload-urls.ts), and files.completeUploadExternal, which
 * "can only be called once", finishes the file: shared in a channel, or private without one.
 * Slack's upload URLs are on files.slack.com ("https://files.slack.com/upload/v1/ABC123…");
 * these are on the emulator's own port, http://HOST:PORT/upload/F…, so nothing leaves the machine.
 * The file object has the fields of docs.slack.dev/reference/objects/file-object (id, created,
 * name, title, mimetype, filetype, pretty_type, user, size, mode, url_private, permalink,
 * channels, groups, ims, shares, …), with the types of its "File types" table for common extensions.
 * Guessed: the URLs' paths past their documented hosts, the pretty_type names, a title that
 * defaults to the filename, and shares listed at once (Slack shares asynchronously, so its own
 * answer may not list them yet).
 */
import { newId } from './ids';
import type { JsonObject } from './json';
import type { EmulatedFile, EmulatedTeam } from './types';

export const UPLOAD_PATH = '/upload/';

/** Where a completed file was shared: the message that shows it. */
export interface FileShare {
  channel: string;
  channelName: string;
  kind: 'channel' | 'im' | 'mpim';
  ts: string;
  threadTs?: string;
}

interface Completion {
  title: string;
  initialComment?: string;
  share?: FileShare;
}

interface StoredFile {
  id: string;
  filename: string;
  /** The length files.getUploadURLExternal was told. */
  length: number;
  uploadedBy: string;
  /** Seconds since the epoch. */
  created: number;
  altTxt?: string;
  snippetType?: string;
  /** Absent until the bytes are posted to the upload URL. */
  content?: Buffer;
  completion?: Completion;
}

export type FileRef = Readonly<StoredFile>;

export type Reservation = Pick<StoredFile, 'filename' | 'length' | 'uploadedBy' | 'altTxt' | 'snippetType'>;

export class FileStore {
  private readonly files = new Map<string, StoredFile>();
  private baseUrl: string | undefined;

  /** Serves the upload URLs on the emulator's server, whose base URL is http://HOST:PORT. */
  attach(baseUrl: string): void {
    this.baseUrl = baseUrl;
  }

  /** What files.getUploadURLExternal answers: a new file and the URL its bytes go to. */
  reserve(input: Reservation, now = Date.now()): { id: string; uploadUrl: string } {
    if (this.baseUrl === undefined) throw new Error('Slack emulator: file uploads are not attached to a server');
    const id = newId('F');
    this.files.set(id, { ...input, id, created: Math.floor(now / 1000) });
    return { id, uploadUrl: `${this.baseUrl}${UPLOAD_PATH}${id}` };
  }

  /** Whether a file's upload URL is live: the file exists and is not completed yet. */
  accepts(id: string): boolean {
    const file = this.files.get(id);
    return file !== undefined && file.completion === undefined;
  }

  /** Keeps the bytes posted to a live upload URL; a post again (a retry) replaces them. */
  receive(id: string, content: Buffer): void {
    const file = this.files.get(id);
    if (!file || file.completion) throw new Error(`Slack emulator: the upload URL of ${id} is not live`);
    // A copy: the caller's buffer may be reused.
    file.content = Buffer.from(content);
  }

  /** A file files.completeUploadExternal can finish: its bytes arrived and it is not finished yet. */
  completable(id: string): FileRef | undefined {
    const file = this.files.get(id);
    return file?.content && !file.completion ? file : undefined;
  }

  complete(ref: FileRef, completion: Omit<Completion, 'share'>): FileRef {
    const file = this.own(ref);
    file.completion = { ...completion };
    return file;
  }

  /** Records the message that shares a completed file. */
  share(ref: FileRef, share: FileShare): FileRef {
    const file = this.own(ref);
    if (!file.completion) throw new Error(`Slack emulator: file ${file.id} is shared before it is completed`);
    file.completion.share = { ...share };
    return file;
  }

  /** Snapshots of the files whose bytes arrived, in reservation order. */
  list(): EmulatedFile[] {
    return [...this.files.values()].flatMap((file) => (file.content ? [snapshot(file, file.content)] : []));
  }

  private own(ref: FileRef): StoredFile {
    const file = this.files.get(ref.id);
    if (file !== ref) throw new Error(`Slack emulator: file ${ref.id} is not stored`);
    return file;
  }
}

function snapshot(file: FileRef, content: Buffer): EmulatedFile {
  const { completion } = file;
  const share = completion?.share;
  return {
    id: file.id,
    filename: file.filename,
    title: completion?.title ?? file.filename,
    content: Buffer.from(content),
    uploadedBy: file.uploadedBy,
    completed: completion !== undefined,
    ...(share ? { channelId: share.channel, messageTs: share.ts } : {}),
    ...(share?.threadTs !== undefined ? { threadTs: share.threadTs } : {}),
    ...(completion?.initialComment !== undefined ? { initialComment: completion.initialComment } : {}),
    ...(file.altTxt !== undefined ? { altTxt: file.altTxt } : {}),
    ...(file.snippetType !== undefined ? { snippetType: file.snippetType } : {}),
  };
}

interface FileType {
  filetype: string;
  mimetype: string;
  prettyType: string;
}

const type = (filetype: string, mimetype: string, prettyType: string): FileType => ({ filetype, mimetype, prettyType });

/** By extension; anything else is "binary", as Slack files what it does not recognise. */
const FILE_TYPES: Record<string, FileType> = {
  txt: type('text', 'text/plain', 'Plain Text'),
  log: type('text', 'text/plain', 'Plain Text'),
  csv: type('csv', 'text/csv', 'CSV'),
  tsv: type('tsv', 'text/tab-separated-values', 'TSV'),
  json: type('json', 'application/json', 'JSON'),
  md: type('markdown', 'text/markdown', 'Markdown (raw)'),
  html: type('html', 'text/html', 'HTML'),
  pdf: type('pdf', 'application/pdf', 'PDF'),
  png: type('png', 'image/png', 'PNG'),
  jpg: type('jpg', 'image/jpeg', 'JPEG'),
  jpeg: type('jpg', 'image/jpeg', 'JPEG'),
  gif: type('gif', 'image/gif', 'GIF'),
  zip: type('zip', 'application/zip', 'Zip'),
};
const BINARY = type('binary', 'application/octet-stream', 'Binary');

function fileType(filename: string): FileType {
  const dot = filename.lastIndexOf('.');
  const extension = dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
  return (Object.hasOwn(FILE_TYPES, extension) ? FILE_TYPES[extension] : undefined) ?? BINARY;
}

function sharesJson(share: FileShare, file: FileRef, teamId: string): JsonObject {
  const entry = {
    reply_users: [],
    reply_users_count: 0,
    reply_count: 0,
    ts: share.ts,
    ...(share.threadTs !== undefined ? { thread_ts: share.threadTs } : {}),
    channel_name: share.channelName,
    team_id: teamId,
    share_user_id: file.uploadedBy,
  };
  // Public channels under `public`, DMs and private channels under `private`.
  return { [share.kind === 'channel' ? 'public' : 'private']: { [share.channel]: [entry] } };
}

/** The file object as files.completeUploadExternal answers it and file share messages carry it. */
export function fileJson(file: FileRef, team: EmulatedTeam): JsonObject {
  const share = file.completion?.share;
  const known = fileType(file.filename);
  const snippet = file.snippetType !== undefined;
  const stored = `https://files.slack.com/files-pri/${team.id}-${file.id}`;
  const name = encodeURIComponent(file.filename);
  const inKind = (kind: FileShare['kind']): string[] => (share?.kind === kind ? [share.channel] : []);
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.filename,
    title: file.completion?.title ?? file.filename,
    mimetype: known.mimetype,
    filetype: file.snippetType ?? known.filetype,
    pretty_type: known.prettyType,
    user: file.uploadedBy,
    user_team: team.id,
    editable: snippet,
    size: file.content?.length ?? file.length,
    mode: snippet ? 'snippet' : 'hosted',
    is_external: false,
    external_type: '',
    is_public: share?.kind === 'channel',
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    ...(file.altTxt !== undefined ? { alt_txt: file.altTxt } : {}),
    url_private: `${stored}/${name}`,
    url_private_download: `${stored}/download/${name}`,
    permalink: `https://${team.domain}.slack.com/files/${file.uploadedBy}/${file.id}/${encodeURIComponent(file.filename.toLowerCase())}`,
    channels: inKind('channel'),
    groups: inKind('mpim'),
    ims: inKind('im'),
    comments_count: 0,
    shares: share ? sharesJson(share, file, team.id) : {},
    has_rich_preview: false,
    file_access: 'visible',
  };
}
