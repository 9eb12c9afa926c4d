/**
 * Who holds which role in Slack. PLAID_SETUP_OPERATORS / APPROVERS / AUDITORS list user
 * ids (U…, W…) and user-group ids (S…); groups are resolved with usergroups.users.list and
 * cached briefly, so a change in Slack takes effect within a minute.
 */
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Config } from '../config';
import { GROUP_ID, rolesUnder } from '../domain/access';
import { ROLES, type Role } from '../shared/schemas';

const CACHE_MS = 60_000;

const UsergroupUsersSchema = z.object({ ok: z.literal(true), users: z.array(z.string()) });
const UserInfoSchema = z.object({
  ok: z.literal(true),
  user: z.object({ real_name: z.string().optional(), profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).optional() }),
});
const NAME_CACHE_MS = 10 * 60_000;

export class RoleDirectory {
  private readonly cache = new Map<string, { users: string[]; until: number }>();
  private readonly names = new Map<string, { name: string; until: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly config: Pick<Config, 'roles' | 'rolesOpen'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The roles a Slack user holds now, by the same rule the worker applies (domain/access.ts). */
  async rolesOf(userId: string): Promise<Role[]> {
    return rolesUnder({ open: this.config.rolesOpen, roles: this.config.roles }, userId, await this.groupsOf(userId));
  }

  /**
   * The configured user groups that hold `userId`: what the bot asserts to the worker,
   * which then decides the roles from its own lists.
   */
  async groupsOf(userId: string): Promise<string[]> {
    const groups = new Set(ROLES.flatMap((role) => this.config.roles[role]).filter((id) => GROUP_ID.test(id)));
    const held: string[] = [];
    for (const group of groups) if ((await this.groupMembers(group)).includes(userId)) held.push(group);
    return held;
  }

  /** Every user id holding the role, groups expanded. */
  async membersOf(role: Role): Promise<string[]> {
    const members = new Set<string>();
    for (const id of this.config.roles[role]) {
      if (GROUP_ID.test(id)) for (const user of await this.groupMembers(id)) members.add(user);
      else members.add(id);
    }
    return [...members];
  }

  /** How people see this user in Slack (display name, else real name), or `fallback`. */
  async displayNameOf(userId: string, fallback: string): Promise<string> {
    const cached = this.names.get(userId);
    if (cached && cached.until > this.now()) return cached.name;
    let name = fallback;
    try {
      const parsed = UserInfoSchema.safeParse(await this.client.users.info({ user: userId }));
      const user = parsed.success ? parsed.data.user : undefined;
      name = user?.profile?.display_name || user?.real_name || user?.profile?.real_name || fallback;
    } catch {
      // The handle from the payload will do.
    }
    this.names.set(userId, { name, until: this.now() + NAME_CACHE_MS });
    return name;
  }

  private async groupMembers(groupId: string): Promise<string[]> {
    const cached = this.cache.get(groupId);
    if (cached && cached.until > this.now()) return cached.users;
    const parsed = UsergroupUsersSchema.safeParse(await this.client.usergroups.users.list({ usergroup: groupId }));
    // An answer we cannot read grants nothing.
    const users = parsed.success ? parsed.data.users : [];
    this.cache.set(groupId, { users, until: this.now() + CACHE_MS });
    return users;
  }
}
