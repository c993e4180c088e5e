import type { JWTPayload } from 'jose';
import type pg from 'pg';
import type { ProjectKeys } from '../../config/project-keys.ts';
import type { Logger } from '../../logger.ts';
import { checkAccessToken } from './access-token.ts';
import { ChangeFrames } from './change-frame.ts';
import { canWrite, type Extension, readPolicies } from './channel-authorization.ts';
import { type ChannelHub, type SharedFrame, type TopicMember, topicKeyOf } from './channel-hub.ts';
import { bindingId, changeBindingsOf, type JoinConfig, parseJoinConfig, record } from './join-config.ts';
import { encodeBinaryBroadcast, type PhoenixMessage, type SerializerVersion } from './phoenix-serializer.ts';
import type { ChangeBinding, ChangeSubscriber, PostgresChangesRouter } from './postgres-changes-router.ts';
import { type StoredBroadcast, storedBroadcasts } from './replay-messages.ts';
import { isConnectionFailure, type Viewer } from './row-visibility.ts';
import { checkSubscription, describeSubscription } from './subscription-check.ts';

/** What every channel of the service shares. */
export interface RealtimeRuntime {
  keys: ProjectKeys;
  db: pg.Pool;
  hub: ChannelHub;
  router: PostgresChangesRouter;
  log: Logger;
  /** Whether the replication stream is up, i.e. committed changes can flow. */
  replicationStreaming: () => boolean;
}

/** The WebSocket a channel lives on. */
export interface ChannelConnection {
  readonly version: SerializerVersion;
  /** JWT of the connection's API key: the channel's token when the client sends none (or an `sb_` key). */
  readonly apiKeyToken: string;
  send(message: PhoenixMessage): void;
  sendFrame(frame: SharedFrame): void;
  /** A text frame, or binary (a v2 user broadcast). */
  sendRaw(frame: string | Uint8Array): void;
  /** A text frame already encoded as UTF-8. */
  sendText(frame: Buffer): void;
  channelClosed(channel: RealtimeChannel): void;
}

interface Policies {
  broadcastRead: boolean;
  presenceRead: boolean;
  write: Partial<Record<Extension, boolean>>;
}

// setTimeout's limit; hosted also re-checks tokens at least hourly.
const MAX_TOKEN_TIMER_MS = 60 * 60 * 1000;
// Hosted's replication_ready check interval and timeout.
const REPLICATION_READY_CHECK_MS = 500;
const REPLICATION_READY_TIMEOUT_MS = 60_000;

/** One joined topic on one WebSocket: broadcast, presence and postgres_changes for it. */
export class RealtimeChannel implements TopicMember, ChangeSubscriber {
  readonly topicKey: string;
  readonly subTopic: string;
  private token = '';
  private claims: JWTPayload = {};
  private currentViewer: Viewer = { identityKey: '', role: 'anon', claimsJson: '{}' };
  private expiryTimer: NodeJS.Timeout | undefined;
  private policies: Policies | undefined;
  private presenceEnabled: boolean;
  private readonly presenceKey: string;
  private closed = false;
  private readonly changeFrames: ChangeFrames;
  /** Stored broadcasts sent by replay; their live copy (from replication) is not sent again. */
  private replayedIds = new Set<string>();
  private replicationReadyTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly runtime: RealtimeRuntime,
    private readonly connection: ChannelConnection,
    readonly topic: string,
    readonly joinRef: string | null,
    private readonly config: JoinConfig,
  ) {
    this.subTopic = topic.slice('realtime:'.length);
    this.topicKey = topicKeyOf(this.subTopic, config.isPrivate);
    this.presenceEnabled = config.presenceEnabled;
    this.presenceKey = config.presenceKey || crypto.randomUUID();
    this.changeFrames = new ChangeFrames(topic, connection.version);
  }

  /**
   * Handles phx_join; replies on the connection. Returns the channel when joined.
   */
  static async join(
    runtime: RealtimeRuntime,
    connection: ChannelConnection,
    message: PhoenixMessage,
  ): Promise<RealtimeChannel | undefined> {
    const reply = (status: 'ok' | 'error', response: unknown) =>
      connection.send({
        join_ref: message.join_ref,
        ref: message.ref,
        topic: message.topic,
        event: 'phx_reply',
        payload: { status, response },
      });
    if (message.topic === 'realtime:') {
      reply('error', { reason: 'TopicNameRequired: You must provide a topic name' });
      return undefined;
    }
    const payload = record(message.payload);
    const config = parseJoinConfig(payload);
    const channel = new RealtimeChannel(runtime, connection, message.topic, message.join_ref, config);

    const offered = payload.access_token ?? payload.user_token;
    const token =
      typeof offered === 'string' && !offered.startsWith('sb_') ? offered : connection.apiKeyToken;
    const check = await checkAccessToken(runtime.keys, token);
    if (!check.ok) {
      reply('error', { reason: `${check.rejection.code}: ${check.rejection.message}` });
      return undefined;
    }
    channel.adoptToken(token, check.claims, check.expiresAt);

    if (config.isPrivate) {
      const read = await readPolicies(runtime.db, channel.identity());
      if (!read.broadcast && !read.presence) {
        reply('error', {
          reason: `Unauthorized: You do not have permissions to read from this Channel topic: ${channel.subTopic}`,
        });
        channel.stopTimer();
        return undefined;
      }
      channel.policies = { broadcastRead: read.broadcast, presenceRead: read.presence, write: {} };
    }

    let replay: StoredBroadcast[] = [];
    if (config.replay) {
      const refusal = channel.replayRefusal();
      if (refusal) {
        reply('error', { reason: refusal });
        channel.stopTimer();
        return undefined;
      }
      try {
        replay = await storedBroadcasts(runtime.db, channel.subTopic, config.replay);
      } catch (error) {
        runtime.log.warn(`replaying ${channel.subTopic}: ${(error as Error).message}`);
        reply('error', { reason: 'UnableToReplayMessages: Realtime was unable to replay messages' });
        channel.stopTimer();
        return undefined;
      }
      channel.replayedIds = new Set(replay.map((message) => message.id));
    }

    const { bindings, invalid } = changeBindingsOf(config.postgresChanges);
    runtime.hub.add(channel);
    runtime.router.subscribe(channel, bindings);
    reply('ok', {
      postgres_changes: config.postgresChanges.map((params) => ({ ...params, id: bindingId(params) })),
    });
    // After the reply: a client drops channel messages that arrive before its join is confirmed.
    for (const message of replay) channel.pushReplayed(message);
    if (config.replicationReady) channel.notifyReplicationReady(Date.now() + REPLICATION_READY_TIMEOUT_MS);
    if (config.postgresChanges.length > 0) {
      channel
        .confirmPostgresChanges(bindings, invalid)
        .catch((error: Error) =>
          runtime.log.warn(`confirming postgres_changes of ${channel.topic}: ${error.message}`),
        );
    }
    if (channel.presenceEnabled) channel.pushPresenceState();
    return channel;
  }

  // ---- replay and readiness -------------------------------------------------------------

  /** Why hosted would refuse this channel's `broadcast.replay`, in its words; undefined if it wouldn't. */
  private replayRefusal(): string | undefined {
    if (this.policies && !this.policies.broadcastRead) {
      return `Unauthorized: You do not have permissions to read from this Channel topic: ${this.subTopic}`;
    }
    if (!this.config.isPrivate) return 'UnableToReplayMessages: Replay is not allowed for public channels';
    if (!this.config.replay?.valid) return 'UnableToReplayMessages: Replay params are not valid';
    return undefined;
  }

  private pushReplayed(message: StoredBroadcast) {
    const meta = { replayed: true, id: message.id };
    if (message.binaryPayload) {
      // The v1 serializer can't carry binary payloads: hosted skips them for v1 clients.
      if (this.connection.version !== '2.0.0') return;
      this.connection.sendRaw(encodeBinaryBroadcast(this.topic, message.event, message.binaryPayload, meta));
      return;
    }
    this.push('broadcast', { type: 'broadcast', event: message.event, payload: message.payload, meta });
  }

  /** The opt-in `broadcast.replication_ready` system message, once the replication stream is up. */
  private notifyReplicationReady(deadline: number) {
    if (this.closed) return;
    if (this.runtime.replicationStreaming()) {
      this.pushSystem('system', 'ok', 'Replication connection established');
    } else if (Date.now() >= deadline) {
      this.shutdown('Replication connection was not established in time');
    } else {
      this.replicationReadyTimer = setTimeout(
        () => this.notifyReplicationReady(deadline),
        REPLICATION_READY_CHECK_MS,
      );
      this.replicationReadyTimer.unref?.();
    }
  }

  // ---- identity and tokens ------------------------------------------------------------

  private adoptToken(token: string, claims: JWTPayload, expiresAt: number) {
    this.token = token;
    this.claims = claims;
    const role = typeof claims.role === 'string' ? claims.role : 'anon';
    const claimsJson = JSON.stringify(claims);
    this.currentViewer = { identityKey: `${role}\u0000${claimsJson}`, role, claimsJson };
    this.stopTimer();
    const delay = Math.min(Math.max(0, expiresAt - Date.now()) + 50, MAX_TOKEN_TIMER_MS);
    this.expiryTimer = setTimeout(() => void this.confirmToken(), delay);
    this.expiryTimer.unref?.();
  }

  private stopTimer() {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }

  private identity() {
    return { topic: this.subTopic, role: this.currentViewer.role, claims: this.claims };
  }

  viewer(): Viewer {
    return this.currentViewer;
  }

  private async confirmToken() {
    if (this.closed) return;
    const check = await checkAccessToken(this.runtime.keys, this.token);
    if (check.ok) this.adoptToken(this.token, check.claims, check.expiresAt);
    else this.shutdown(check.rejection.message);
  }

  private async refreshToken(token: unknown) {
    if (typeof token !== 'string' || token.startsWith('sb_') || token === this.token) return;
    const check = await checkAccessToken(this.runtime.keys, token);
    if (this.closed) return;
    if (!check.ok) {
      this.shutdown(check.rejection.message);
      return;
    }
    this.adoptToken(token, check.claims, check.expiresAt);
    if (this.policies) {
      const before = this.policies;
      const read = await readPolicies(this.runtime.db, this.identity());
      if ((before.broadcastRead && !read.broadcast) || (before.presenceRead && !read.presence)) {
        this.shutdown(`You no longer have permission to read from this Channel topic: ${this.subTopic}`);
        return;
      }
      this.policies = { broadcastRead: read.broadcast, presenceRead: read.presence, write: {} };
    }
  }

  // ---- postgres_changes -----------------------------------------------------------------

  /**
   * Hosted confirms (or refuses) the subscription with a system message after the join;
   * a binding it would refuse (unknown table or column, a value of the wrong type) is
   * dropped, so it never delivers.
   */
  private async confirmPostgresChanges(bindings: ChangeBinding[], invalid: string[]) {
    let problems: string[] = [];
    let accepted: ChangeBinding[] = [];
    // While the database is away the checks can't be made: retry (as hosted retries the
    // subscription) rather than refuse a subscription that is fine.
    for (let attempt = 0; ; attempt++) {
      try {
        ({ problems, accepted } = await this.checkBindings(bindings, invalid));
        break;
      } catch (error) {
        if (this.closed) return;
        if (!isConnectionFailure(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 2000)));
        if (this.closed) return;
      }
    }
    if (this.closed) return;
    if (accepted.length < bindings.length) {
      this.runtime.router.unsubscribe(this);
      this.runtime.router.subscribe(this, accepted);
    }
    this.pushSystem(
      'postgres_changes',
      problems.length ? 'error' : 'ok',
      problems[0] ?? 'Subscribed to PostgreSQL',
    );
  }

  private async checkBindings(bindings: ChangeBinding[], invalid: string[]) {
    const problems = [...invalid];
    const accepted: ChangeBinding[] = [];
    for (const binding of bindings) {
      const { schema, table } = binding;
      if (!table || table === '*' || schema === '*') {
        accepted.push(binding);
        continue;
      }
      const exists = await this.runtime.db
        .query('select 1 from pg_catalog.pg_tables where schemaname = $1 and tablename = $2', [schema, table])
        .then((result) => (result.rowCount ?? 0) > 0);
      if (!exists) {
        problems.push(
          `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [${describeSubscription(binding)}]`,
        );
        continue;
      }
      const failure = await checkSubscription(this.runtime.db, binding).catch((error: Error) => {
        if (isConnectionFailure(error)) throw error;
        return error.message;
      });
      if (failure) {
        problems.push(
          `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [${describeSubscription(binding)}]. Exception: ${failure}`,
        );
        continue;
      }
      accepted.push(binding);
    }
    return { problems, accepted };
  }

  deliverChange(ids: number[], data: Buffer): void {
    if (!this.closed) this.connection.sendText(this.changeFrames.frame(ids, data));
  }

  // ---- broadcast and presence --------------------------------------------------------

  canRead(extension: 'broadcast' | 'presence'): boolean {
    if (!this.policies) return true;
    return extension === 'broadcast' ? this.policies.broadcastRead : this.policies.presenceRead;
  }

  send(frame: SharedFrame): void {
    if (this.closed) return;
    if (this.replayedIds.size > 0) {
      const id = frame.storedMessageId();
      if (id !== undefined && this.replayedIds.has(id)) return;
    }
    this.connection.sendFrame(frame);
  }

  private async mayWrite(extension: Extension): Promise<boolean> {
    if (!this.policies) return true;
    const cached = this.policies.write[extension];
    if (cached !== undefined) return cached;
    const allowed = await canWrite(this.runtime.db, this.identity(), extension);
    if (this.policies) this.policies.write[extension] = allowed;
    return allowed;
  }

  private async handleBroadcast(payload: Record<string, unknown>, ref: string | null) {
    if (!(await this.mayWrite('broadcast')) || this.closed) return;
    this.runtime.hub.broadcast(
      this.topicKey,
      this.topic,
      payload,
      this.config.selfBroadcast ? undefined : this,
    );
    if (this.config.ack) this.reply(ref, 'ok', {});
  }

  private async handlePresence(payload: Record<string, unknown>, ref: string | null) {
    if (!(await this.mayWrite('presence'))) {
      this.reply(ref, 'error', {});
      return;
    }
    if (this.closed) return;
    if (payload.event === 'untrack') {
      this.runtime.hub.untrack(this);
      this.reply(ref, 'ok', {});
      return;
    }
    if (payload.event !== 'track') {
      this.reply(ref, 'error', { reason: 'Presence event must be track or untrack' });
      return;
    }
    const meta = payload.payload;
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
      this.reply(ref, 'error', { reason: 'Presence track payload must be a map' });
      return;
    }
    const wasEnabled = this.presenceEnabled;
    this.presenceEnabled = true;
    // A track can be what turns presence on: send the state first so earlier members are known.
    if (!wasEnabled) this.pushPresenceState();
    this.runtime.hub.track(this, this.presenceKey, meta as Record<string, unknown>);
    this.reply(ref, 'ok', {});
  }

  private pushPresenceState() {
    if (!this.canRead('presence')) return;
    this.push('presence_state', this.runtime.hub.presenceState(this.topicKey));
  }

  // ---- messages from the client --------------------------------------------------------

  handle(message: PhoenixMessage): void {
    const payload = record(message.payload);
    switch (message.event) {
      case 'broadcast':
        void this.handleBroadcast(payload, message.ref);
        return;
      case 'presence':
        void this.handlePresence(payload, message.ref);
        return;
      case 'access_token':
        void this.refreshToken(payload.access_token);
        return;
      case 'phx_leave':
        this.reply(message.ref, 'ok', {});
        this.terminate();
        return;
      default:
        // Hosted ignores unknown events from clients.
        return;
    }
  }

  // ---- lifecycle ------------------------------------------------------------------------

  private push(event: string, payload: unknown) {
    this.connection.send({ join_ref: this.joinRef, ref: null, topic: this.topic, event, payload });
  }

  private reply(ref: string | null, status: 'ok' | 'error', response: unknown) {
    this.connection.send({
      join_ref: this.joinRef,
      ref,
      topic: this.topic,
      event: 'phx_reply',
      payload: { status, response },
    });
  }

  private pushSystem(extension: string, status: 'ok' | 'error', message: string) {
    this.push('system', { extension, status, message, channel: this.subTopic });
  }

  /** Closes the channel with a system error, as hosted does on expired tokens and revoked access. */
  shutdown(message: string): void {
    if (this.closed) return;
    this.pushSystem('system', 'error', message);
    this.push('phx_close', {});
    this.terminate();
  }

  /** Leaves silently (client left, socket closed, or a duplicate join replaced it). */
  terminate(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimer();
    clearTimeout(this.replicationReadyTimer);
    this.runtime.router.unsubscribe(this);
    this.runtime.hub.remove(this);
    this.connection.channelClosed(this);
  }

  /** A new join on the same topic replaces this channel; the client is told it closed. */
  replaced(): void {
    if (this.closed) return;
    this.push('phx_close', {});
    this.terminate();
  }
}
