/**
 * File uploads on the Slack emulator through the real WebClient.filesUploadV2
 * (files.getUploadURLExternal, the post of the bytes to the upload URL, files.completeUploadExternal):
 * to a channel, a DM thread, privately and several files at once; what each step refuses; the
 * upload URL on the wire (raw and multipart bodies, unknown and spent URLs, injected faults); and
 * the call log, which must hold the uploaded bytes where a scan for leaked secrets finds them.
 */
import { quietSlackLogger as quiet, slackError } from './support/slack-client';
import { ErrorCode, WebClient, type WebAPIHTTPError } from '@slack/web-api';
import { SlackEmulator, UPLOAD_URL_CALL, type EmulatedUser } from '../src/emulators/slack';

const BOT_TOKEN = 'xoxb-emulated-bot-token';
const ALICE: EmulatedUser = { id: 'U0ALICE0001', name: 'alice', realName: 'Alice Admin' };
const CHANNEL = 'C0SETUP0001';
const SECRET = 'sandbox-secret-0123456789abcdef';

const started: SlackEmulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
});

async function emulator(): Promise<SlackEmulator> {
  const e = await SlackEmulator.start({ botToken: BOT_TOKEN, users: [ALICE], channels: [{ id: CHANNEL, name: 'plaid-setup' }], team: { id: 'T0TEAM00001', domain: 'codat' } });
  started.push(e);
  return e;
}

const client = (e: SlackEmulator, token = BOT_TOKEN): WebClient => new WebClient(token, { slackApiUrl: e.apiUrl, logger: quiet, retryConfig: { retries: 0 } });

/** The emulator's base URL, where upload URLs live. */
const baseUrl = (e: SlackEmulator): string => e.apiUrl.replace(/\/api\/$/, '');

async function reserve(e: SlackEmulator, filename = 'notes.txt', length = 5): Promise<{ file_id: string; upload_url: string }> {
  const reserved = await client(e).files.getUploadURLExternal({ filename, length });
  return { file_id: reserved.file_id ?? '', upload_url: reserved.upload_url ?? '' };
}

async function post(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', ...init });
  return { status: response.status, text: await response.text() };
}

const line = (text: string, pointer = ''): string => `[ERROR] ${text} [json-pointer:${pointer}]`;

describe('Slack emulator: files through WebClient.filesUploadV2', () => {
  test('a file shared in a channel: three calls, the bytes kept, a message from the bot with the file', async () => {
    const e = await emulator();
    const content = `client_id,secret\nabc,${SECRET}\n`;
    const result = await client(e).filesUploadV2({ channel_id: CHANNEL, filename: 'credentials.csv', title: 'Credentials', content, initial_comment: 'The export' });

    const [file] = e.uploadedFiles();
    expect(file).toEqual({
      id: expect.stringMatching(/^F[A-Z0-9]{10}$/) as unknown,
      filename: 'credentials.csv',
      title: 'Credentials',
      content: Buffer.from(content),
      uploadedBy: e.botUserId,
      completed: true,
      channelId: CHANNEL,
      messageTs: expect.stringMatching(/^\d{10}\.\d{6}$/) as unknown,
      initialComment: 'The export',
    });
    expect(result.ok).toBe(true);
    expect(result.files).toEqual([expect.objectContaining({ ok: true, files: [expect.objectContaining({ id: file?.id })] })]);
    expect(result.files[0]?.files?.[0]).toMatchObject({
      name: 'credentials.csv',
      title: 'Credentials',
      filetype: 'csv',
      mimetype: 'text/csv',
      size: Buffer.byteLength(content),
      user: e.botUserId,
      mode: 'hosted',
      is_public: true,
      channels: [CHANNEL],
      ims: [],
      permalink: `https://codat.slack.com/files/${e.botUserId}/${file?.id}/credentials.csv`,
      shares: { public: { [CHANNEL]: [expect.objectContaining({ ts: file?.messageTs, channel_name: 'plaid-setup', share_user_id: e.botUserId })] } },
    });

    expect(e.messages(CHANNEL)).toEqual([expect.objectContaining({ ts: file?.messageTs, text: 'The export', user: e.botUserId, botId: e.botId, fileIds: [file?.id], origin: 'api' })]);

    expect(e.calls.map((c) => c.method)).toEqual(['files.getUploadURLExternal', UPLOAD_URL_CALL, 'files.completeUploadExternal']);
    const [reserved, upload, complete] = e.calls;
    expect(reserved).toMatchObject({ token: BOT_TOKEN, args: { filename: 'credentials.csv', length: String(Buffer.byteLength(content)) }, ok: true });
    expect((reserved?.response as { upload_url: string }).upload_url).toBe(`${baseUrl(e)}/upload/${file?.id}`);
    expect(upload).toMatchObject({ token: BOT_TOKEN, args: { file_id: file?.id, length: Buffer.byteLength(content), content }, ok: true, response: `OK - ${Buffer.byteLength(content)}` });
    expect(complete).toMatchObject({ args: { files: [{ id: file?.id, title: 'Credentials' }], channel_id: CHANNEL, initial_comment: 'The export' }, ok: true });
    // What a leak scan of the recorded traffic reads.
    expect(JSON.stringify(e.calls)).toContain(SECRET);
  });

  test('binary bytes to a DM thread from conversations.open; a file completed without a channel stays private', async () => {
    const e = await emulator();
    const slack = client(e);
    const dm = (await slack.conversations.open({ users: ALICE.id })).channel?.id ?? '';
    const parent = await slack.chat.postMessage({ channel: dm, text: 'Your export follows' });
    const bytes = Buffer.concat([Buffer.from([0x00, 0xff, 0xfe, 0x80]), Buffer.from(` ${SECRET} `), Buffer.from([0xc3, 0x28])]);
    await slack.filesUploadV2({ channel_id: dm, thread_ts: parent.ts ?? '', file: bytes, filename: 'export.bin' });
    await slack.filesUploadV2({ filename: 'private.txt', content: 'only mine' });

    const [shared, kept] = e.uploadedFiles();
    expect(shared).toMatchObject({ filename: 'export.bin', title: 'export.bin', channelId: dm, threadTs: parent.ts, completed: true });
    expect(shared?.content.equals(bytes)).toBe(true);
    expect(kept).toEqual({ id: expect.any(String) as unknown, filename: 'private.txt', title: 'private.txt', content: Buffer.from('only mine'), uploadedBy: e.botUserId, completed: true });

    const [, reply] = e.messages(dm);
    expect(reply).toMatchObject({ threadTs: parent.ts, text: '', fileIds: [shared?.id] });
    expect(e.messages()).toHaveLength(2);
    const [sharedJson, keptJson] = e.callsTo('files.completeUploadExternal').map((c) => (c.response as { files: Record<string, unknown>[] }).files[0]);
    expect(sharedJson).toMatchObject({ filetype: 'binary', is_public: false, ims: [dm], channels: [], shares: { private: { [dm]: [expect.objectContaining({ ts: reply?.ts, thread_ts: parent.ts })] } } });
    expect(keptJson).toMatchObject({ filetype: 'text', channels: [], ims: [], groups: [], shares: {} });
    // The ASCII inside binary bytes survives the log's UTF-8 text.
    expect(JSON.stringify(e.callsTo(UPLOAD_URL_CALL))).toContain(SECRET);
  });

  test('several files in one call are one message sharing them all', async () => {
    const e = await emulator();
    const result = await client(e).filesUploadV2({
      channel_id: CHANNEL,
      initial_comment: 'Two files',
      file_uploads: [
        { content: 'a', filename: 'a.txt' },
        { content: '# b', filename: 'b.md', title: 'Read me' },
      ],
    });
    const files = e.uploadedFiles();
    expect(files.map((f) => [f.filename, f.title, f.messageTs])).toEqual([
      ['a.txt', 'a.txt', e.messages(CHANNEL)[0]?.ts],
      ['b.md', 'Read me', e.messages(CHANNEL)[0]?.ts],
    ]);
    expect(e.messages(CHANNEL)).toEqual([expect.objectContaining({ text: 'Two files', fileIds: files.map((f) => f.id) })]);
    expect(result.files).toHaveLength(1);
    expect(result.files[0]?.files?.map((f) => f.filetype)).toEqual(['text', 'markdown']);
  });

  test('a bad token is refused at every Web API step', async () => {
    const e = await emulator();
    expect(await slackError(client(e, 'xoxb-other').filesUploadV2({ channel_id: CHANNEL, filename: 'x.txt', content: 'x' }))).toEqual({ error: 'invalid_auth' });
    const { file_id } = await reserve(e);
    expect(await slackError(client(e, 'xoxb-other').files.completeUploadExternal({ files: [{ id: file_id }] }))).toEqual({ error: 'invalid_auth' });
    expect(e.calls.map((c) => [c.method, c.error ?? 'ok'])).toEqual([
      ['files.getUploadURLExternal', 'invalid_auth'],
      ['files.getUploadURLExternal', 'ok'],
      ['files.completeUploadExternal', 'invalid_auth'],
    ]);
    expect(e.uploadedFiles()).toEqual([]);
  });

  test('files.getUploadURLExternal refuses a missing or invalid filename or length', async () => {
    const e = await emulator();
    const slack = client(e);
    expect(await slackError(slack.apiCall('files.getUploadURLExternal', { length: 5 }))).toEqual({ error: 'invalid_arguments', messages: [line('missing required field: filename')] });
    expect(await slackError(slack.apiCall('files.getUploadURLExternal', { filename: 'a.txt' }))).toEqual({ error: 'invalid_arguments', messages: [line('missing required field: length')] });
    for (const length of ['five', '-1', '2.5']) {
      expect(await slackError(slack.apiCall('files.getUploadURLExternal', { filename: 'a.txt', length }))).toEqual({ error: 'invalid_arguments', messages: [line('must be an integer', '/length')] });
    }
    expect(await slackError(slack.files.getUploadURLExternal({ filename: 'a.txt', length: 0 }))).toEqual({ error: 'missing_argument' });
    expect(await slackError(slack.files.getUploadURLExternal({ filename: 'a.png', length: 5, alt_text: 'x'.repeat(1001) }))).toEqual({ error: 'alt_txt_too_large' });
    expect(e.uploadedFiles()).toEqual([]);

    // (WebClient names it alt_text; the docs alt_txt: both are read.) A JSON body with a numeric length, and alt_txt and snippet_type kept.
    const response = await fetch(`${e.apiUrl}files.getUploadURLExternal`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${BOT_TOKEN}` },
      body: JSON.stringify({ filename: 'query.sql', length: 9, alt_txt: 'A query', snippet_type: 'sql' }),
    });
    const json = (await response.json()) as { ok: boolean; file_id: string; upload_url: string };
    expect(json).toEqual({ ok: true, file_id: expect.stringMatching(/^F/) as unknown, upload_url: `${baseUrl(e)}/upload/${json.file_id}` });
    await post(json.upload_url, { body: 'select 1;' });
    const completed = await slack.files.completeUploadExternal({ files: [{ id: json.file_id }] });
    expect(completed.files?.[0]).toMatchObject({ title: 'query.sql', filetype: 'sql', mode: 'snippet', editable: true, alt_txt: 'A query', size: 9 });
    expect(e.uploadedFiles()).toEqual([expect.objectContaining({ altTxt: 'A query', snippetType: 'sql' })]);
  });

  test('files.completeUploadExternal refuses files not uploaded, completed twice, malformed, or an unknown channel; a refusal completes nothing', async () => {
    const e = await emulator();
    const slack = client(e);
    const pending = await reserve(e);
    expect(await slackError(slack.files.completeUploadExternal({ files: [{ id: pending.file_id }] }))).toEqual({ error: 'file_not_found' });
    expect(await slackError(slack.files.completeUploadExternal({ files: [{ id: 'F0NOSUCHONE' }] }))).toEqual({ error: 'file_not_found' });

    expect(await slackError(slack.apiCall('files.completeUploadExternal', {}))).toEqual({ error: 'invalid_arguments', messages: [line('missing required field: files')] });
    expect(await slackError(slack.apiCall('files.completeUploadExternal', { files: '[' }))).toEqual({ error: 'invalid_arguments', messages: [line('must be valid JSON', '/files')] });
    expect(await slackError(slack.apiCall('files.completeUploadExternal', { files: [] }))).toEqual({ error: 'invalid_arguments', messages: [line('must contain at least 1 item', '/files')] });
    expect(await slackError(slack.apiCall('files.completeUploadExternal', { files: [{ title: 'x' }] }))).toEqual({ error: 'invalid_arguments', messages: [line('missing required field: id', '/files/0')] });
    expect(await slackError(slack.apiCall('files.completeUploadExternal', { files: { id: pending.file_id } }))).toEqual({ error: 'invalid_arguments', messages: [line('must be an array', '/files')] });

    expect(await post(pending.upload_url, { body: 'hello' })).toEqual({ status: 200, text: 'OK - 5' });
    expect(await slackError(slack.files.completeUploadExternal({ files: [{ id: pending.file_id }], channel_id: 'C0NOWHERE01' }))).toEqual({ error: 'channel_not_found' });
    const other = await reserve(e);
    // One file ready, one not: the call is refused and the ready one is still completable.
    expect(await slackError(slack.files.completeUploadExternal({ files: [{ id: pending.file_id }, { id: other.file_id }] }))).toEqual({ error: 'file_not_found' });
    expect(e.uploadedFiles()).toEqual([expect.objectContaining({ id: pending.file_id, completed: false })]);

    await expect(slack.files.completeUploadExternal({ files: [{ id: pending.file_id, title: 'Hello' }], channel_id: CHANNEL })).resolves.toMatchObject({ ok: true });
    expect(await slackError(slack.files.completeUploadExternal({ files: [{ id: pending.file_id }] }))).toEqual({ error: 'file_not_found' });
    expect(e.messages(CHANNEL)).toHaveLength(1);
  });

  test('the upload URL takes raw bytes or any multipart file part, answers 404 for an unknown or spent URL, and records every post', async () => {
    const e = await emulator();
    const raw = await reserve(e, 'raw.txt');
    expect(await post(raw.upload_url, { body: 'first', headers: { 'Content-Type': 'application/octet-stream' } })).toEqual({ status: 200, text: 'OK - 5' });
    // A retry replaces the bytes.
    expect(await post(raw.upload_url, { body: 'again!' })).toEqual({ status: 200, text: 'OK - 6' });
    expect(e.uploadedFiles()[0]?.content.toString()).toBe('again!');

    // curl -F filename=@… names the part "filename".
    const curl = await reserve(e, 'curl.txt');
    const form = new FormData();
    form.append('note', `not the file ${SECRET}`);
    form.append('filename', new Blob([Buffer.from('from curl')]), 'curl.txt');
    expect(await post(curl.upload_url, { body: form })).toEqual({ status: 200, text: 'OK - 9' });
    expect(e.uploadedFiles()[1]?.content.toString()).toBe('from curl');

    const textOnly = new FormData();
    textOnly.append('filename', 'no file part');
    expect(await post(curl.upload_url, { body: textOnly })).toEqual({ status: 400, text: 'Bad Request' });
    expect(await post(`${baseUrl(e)}/upload/F0NOSUCHONE`, { body: 'x' })).toEqual({ status: 404, text: 'Not Found' });
    const get = await fetch(raw.upload_url);
    expect({ status: get.status, allow: get.headers.get('allow') }).toEqual({ status: 405, allow: 'POST' });

    await client(e).files.completeUploadExternal({ files: [{ id: raw.file_id }] });
    expect(await post(raw.upload_url, { body: 'too late' })).toEqual({ status: 404, text: 'Not Found' });
    expect(e.uploadedFiles()[0]?.content.toString()).toBe('again!');

    expect(e.callsTo(UPLOAD_URL_CALL).map((c) => [c.args.file_id, c.error ?? 'ok'])).toEqual([
      [raw.file_id, 'ok'],
      [raw.file_id, 'ok'],
      [curl.file_id, 'ok'],
      [curl.file_id, 'invalid_form_data'],
      ['F0NOSUCHONE', 'file_not_found'],
      [raw.file_id, 'method_not_allowed'],
      [raw.file_id, 'file_not_found'],
    ]);
    const logged = JSON.stringify(e.calls);
    // Text fields of a multipart body, and bytes refused, are in the log too.
    expect(logged).toContain(SECRET);
    expect(logged).toContain('too late');
    expect(logged).toContain('no file part');
  });

  test('an injected fault fails the post to the upload URL, and filesUploadV2 with it', async () => {
    const e = await emulator();
    e.inject(UPLOAD_URL_CALL, 'upload_failed');
    const failure = await client(e)
      .filesUploadV2({ channel_id: CHANNEL, filename: 'x.txt', content: 'x' })
      .catch((error: unknown) => error as WebAPIHTTPError);
    // WebClient treats anything but 200 from the upload URL as an HTTP error.
    expect(failure).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500, body: 'upload_failed' });
    expect(e.calls.map((c) => [c.method, c.error ?? 'ok'])).toEqual([
      ['files.getUploadURLExternal', 'ok'],
      [UPLOAD_URL_CALL, 'upload_failed'],
    ]);
    expect(e.uploadedFiles()).toEqual([]);

    e.inject(UPLOAD_URL_CALL, 'ratelimited', { retryAfterSeconds: 4 });
    const { upload_url } = await reserve(e);
    const limited = await fetch(upload_url, { method: 'POST', body: 'x' });
    expect({ status: limited.status, retryAfter: limited.headers.get('retry-after') }).toEqual({ status: 429, retryAfter: '4' });
  });
});
