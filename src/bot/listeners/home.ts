/** App Home: the running setups with their next step, for people with a role. */
import type { App } from '@slack/bolt';
import { homeView } from '../../slack/views';
import type { BotContext } from '../context';

export function registerHome(app: App, ctx: BotContext): void {
  const { directory, setups } = ctx.deps;
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const roles = await directory.rolesOf(event.user);
    const views = roles.length > 0 ? await setups.list() : [];
    await client.views.publish({ user_id: event.user, view: homeView(views.map((view) => ({ view })), { id: event.user, roles }) as never });
  });
}
