import {
  type ContractFieldsInput,
  type ContractView,
  draftContract,
  signContractAsTherapist,
} from '../../src/service/contracts.ts';
import type { ServiceDeps } from '../../src/service/deps.ts';
import type { StaffActor } from '../../src/service/staff-actor.ts';

/** A therapist who drafts and signs through the API (the staff row is created by the test that needs it). */
export const therapistA: StaffActor = {
  staffId: 'ther-a',
  email: 'a@clinic.test',
  name: 'Tina Terapeut',
  role: 'therapist',
  locale: 'nb',
  via: 'api',
};

/** The therapist drafts `fields` and signs: the contract that now waits for the client. Throws if refused. */
export async function draftAndSign(
  deps: ServiceDeps,
  therapist: StaffActor,
  clientId: string,
  fields: ContractFieldsInput,
): Promise<ContractView> {
  const drafted = await draftContract(deps, therapist, clientId, fields);
  if (!drafted.ok) throw new Error(`draft refused: ${JSON.stringify(drafted)}`);
  const signed = await signContractAsTherapist(deps, therapist, clientId);
  if (!signed.ok || !('contract' in signed)) throw new Error(`signature refused: ${JSON.stringify(signed)}`);
  return signed.contract;
}
