/** The {@link CiPlatform} for a context: GitLab or GitHub. */
import type { CiContext } from './env';
import { githubPlatform } from './github';
import { gitlabPlatform } from './gitlab';
import type { CiPlatform } from './platform';

export function connect(context: CiContext): CiPlatform {
  return context.platform === 'gitlab' ? gitlabPlatform(context) : githubPlatform(context);
}
