import {
  type BinaryBroadcast,
  encodeBinaryBroadcast,
  encodeFrame,
  isBinaryBroadcast,
  type PhoenixMessage,
  type SerializerVersion,
} from './phoenix-serializer.ts';
import { type PresenceDiff, PresenceRegistry, type PresenceState } from './presence-registry.ts';

/**
 * A message fanned out to many channels of one topic: encoded at most once per
 * serializer version, however many subscribers receive it.
 */
export class SharedFrame {
  private readonly encoded = new Map<SerializerVersion, string | Uint8Array | null>();
  constructor(readonly message: PhoenixMessage) {}

  /** `meta.id` of a broadcast of a stored message (realtime.messages), which a replay may have sent already. */
  storedMessageId(): string | undefined {
    const meta = (this.message.payload as { meta?: { id?: unknown } } | null)?.meta;
    return typeof meta?.id === 'string' ? meta.id : undefined;
  }

  /** The frame for a client of `version`, or null if that version can't carry it (binary on v1). */
  for(version: SerializerVersion): string | Uint8Array | null {
    let frame = this.encoded.get(version);
    if (frame === undefined) {
      const payload = this.message.payload;
      if (isBinaryBroadcast(payload)) {
        frame =
          version === '2.0.0'
            ? encodeBinaryBroadcast(
                this.message.topic,
                payload.event,
                new Uint8Array(payload.payload),
                payload.meta,
              )
            : null;
      } else {
        frame = encodeFrame(this.message, version);
      }
      this.encoded.set(version, frame);
    }
    return frame;
  }
}

/** A joined channel as the hub sees it. */
export interface TopicMember {
  /** The Phoenix topic, `realtime:<sub-topic>`. */
  readonly topic: string;
  /** `public:<sub-topic>` or `private:<sub-topic>`: public and private channels of one name are apart. */
  readonly topicKey: string;
  /** Private channels receive broadcasts and presence only if their read policy allows. */
  canRead(extension: 'broadcast' | 'presence'): boolean;
  send(frame: SharedFrame): void;
}

export function topicKeyOf(subTopic: string, isPrivate: boolean): string {
  return `${isPrivate ? 'private' : 'public'}:${subTopic}`;
}

/** Broadcast payload as clients receive it: `{ type: 'broadcast', event, payload, meta? }`. */
export type BroadcastPayload = Record<string, unknown> | BinaryBroadcast;

/** Topics and their channels: broadcast and presence fan-out within this process. */
export class ChannelHub {
  private readonly topics = new Map<string, Set<TopicMember>>();
  private readonly presence = new PresenceRegistry<TopicMember>();

  add(member: TopicMember): void {
    let members = this.topics.get(member.topicKey);
    if (!members) {
      members = new Set();
      this.topics.set(member.topicKey, members);
    }
    members.add(member);
  }

  remove(member: TopicMember): void {
    this.untrack(member);
    const members = this.topics.get(member.topicKey);
    members?.delete(member);
    if (members?.size === 0) this.topics.delete(member.topicKey);
  }

  /** Sends a broadcast to every channel of the topic except `sender` (when it didn't ask for `self`). */
  broadcast(topicKey: string, topic: string, payload: BroadcastPayload, except?: TopicMember): number {
    const members = this.topics.get(topicKey);
    if (!members) return 0;
    const frame = new SharedFrame({ join_ref: null, ref: null, topic, event: 'broadcast', payload });
    let delivered = 0;
    for (const member of members) {
      if (member === except || !member.canRead('broadcast')) continue;
      member.send(frame);
      delivered += 1;
    }
    return delivered;
  }

  presenceState(topicKey: string): PresenceState {
    return this.presence.state(topicKey);
  }

  track(member: TopicMember, key: string, meta: Record<string, unknown>): void {
    this.sendDiff(member.topicKey, member.topic, this.presence.track(member.topicKey, member, key, meta));
  }

  untrack(member: TopicMember): void {
    const diff = this.presence.untrack(member.topicKey, member);
    if (diff) this.sendDiff(member.topicKey, member.topic, diff);
  }

  private sendDiff(topicKey: string, topic: string, diff: PresenceDiff) {
    const frame = new SharedFrame({
      join_ref: null,
      ref: null,
      topic,
      event: 'presence_diff',
      payload: diff,
    });
    for (const member of this.topics.get(topicKey) ?? []) {
      if (member.canRead('presence')) member.send(frame);
    }
  }
}
