import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { Flavor, SoraSimulator } from '../../simulator/server.mts';

export const FLAVORS: Flavor[] = ['toapis', 'openaiCompatible', 'azure'];

/** A credential pointing at the simulator, in the forms users type base URLs. */
export function credentialsFor(
	sim: SoraSimulator,
	flavor: Flavor,
	apiKey = sim.apiKey,
): ICredentialDataDecryptedObject {
	const baseUrl =
		flavor === 'openaiCompatible'
			? `${sim.url}/v1/`
			: flavor === 'azure'
				? `${sim.url}/openai/v1`
				: sim.url;
	return { apiFlavor: flavor, baseUrl, apiKey };
}

/** Every string in a value, flattened, to search for leaked secrets. */
export function allText(value: unknown): string {
	return (
		JSON.stringify(value, (_key, v) =>
			v instanceof Error ? { message: v.message, ...(v as object) } : v,
		) ?? ''
	);
}

import type { INodeExecutionData } from 'n8n-workflow';
export { makePng } from '../../simulator/media.mts';

export function itemWithBinary(
	property: string,
	data: Buffer,
	mimeType: string,
	fileName: string,
): INodeExecutionData {
	return {
		json: {},
		binary: { [property]: { data: data.toString('base64'), mimeType, fileName } },
	};
}

import type { SimTask } from '../../simulator/server.mts';

/**
 * The provider finishes a task now (it was stuck until then): tests make a task finish at an exact point of their
 * sequence (after a wait timed out, once every task was read) instead of choosing a duration that must outlast a wait.
 */
export function finishNow(task: SimTask): void {
	task.scenario = { ...task.scenario, outcome: 'completed', durationMs: 0 };
}
