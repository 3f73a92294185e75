/** Every runbook step, in order. */
import type { Step } from '../types.js';
import { PREFLIGHT_STEPS } from './phase0-preflight.js';
import { INSTALL_STEPS } from './phase1-install.js';
import { HOST_STEPS } from './phase2-host.js';
import { PKI_STEPS } from './phase3-pki.js';
import { TOKEN_STEPS } from './phase3-auth-token.js';
import { CONFIG_STEPS } from './phase4-config.js';
import { SERVICE_STEPS } from './phase5-service.js';
import { BOOTSTRAP_STEPS } from './phase6-bootstrap.js';
import { RBAC_STEPS } from './phase7-rbac.js';
import { VERIFY_STEPS } from './phase8-verify.js';

export const RUNBOOK_STEPS: readonly Step[] = [
  ...PREFLIGHT_STEPS,
  ...INSTALL_STEPS,
  ...HOST_STEPS,
  ...PKI_STEPS,
  ...TOKEN_STEPS,
  ...CONFIG_STEPS,
  ...SERVICE_STEPS,
  ...BOOTSTRAP_STEPS,
  ...RBAC_STEPS,
  ...VERIFY_STEPS,
];
