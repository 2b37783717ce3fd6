/** The n8n credential type every Sora node uses (credentials/SoraApi.credentials.ts). */
export const CREDENTIAL_NAME = 'soraApi';

/** How a host speaks: toapis' own task API, the OpenAI Videos API shape (new-api resellers), or Azure OpenAI. */
export type ApiFlavor = 'toapis' | 'openaiCompatible' | 'azure';

export const API_FLAVORS: readonly ApiFlavor[] = ['toapis', 'openaiCompatible', 'azure'];

export function isApiFlavor(value: unknown): value is ApiFlavor {
	return typeof value === 'string' && (API_FLAVORS as readonly string[]).includes(value);
}

/** The flavor as messages name it. */
export function flavorLabel(flavor: ApiFlavor): string {
	return flavor === 'toapis' ? 'toapis' : flavor === 'azure' ? 'Azure OpenAI' : 'OpenAI-compatible';
}
