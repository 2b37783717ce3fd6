/**
 * Where the Sora API lives for a given credential: the API flavor and the root URL every path hangs off.
 * The credential stores what the user typed; everything else in the package reads it through here.
 */
export type ApiFlavor = 'toapis' | 'openaiCompatible' | 'azure';

export const API_FLAVORS: readonly ApiFlavor[] = ['toapis', 'openaiCompatible', 'azure'];

export const DEFAULT_BASE_URL: Record<ApiFlavor, string> = {
	toapis: 'https://toapis.com',
	openaiCompatible: 'https://api.openai.com/v1',
	azure: '',
};

/** The path every flavor's endpoints start with, below the host. */
export const API_PATH_PREFIX: Record<ApiFlavor, string> = {
	toapis: '/v1',
	openaiCompatible: '/v1',
	azure: '/openai/v1',
};

export interface SoraConnection {
	flavor: ApiFlavor;
	/** e.g. https://toapis.com/v1 or https://res.openai.azure.com/openai/v1, without a trailing slash */
	apiRoot: string;
}

export function isApiFlavor(value: unknown): value is ApiFlavor {
	return typeof value === 'string' && (API_FLAVORS as readonly string[]).includes(value);
}

/**
 * Users paste base URLs in every form ("https://host", "https://host/", "https://host/v1",
 * "https://res.openai.azure.com/openai/v1/"). Strip what the flavor adds itself, so each form works.
 */
export function apiRootOf(flavor: ApiFlavor, baseUrl: string): string {
	const host = (baseUrl.trim() || DEFAULT_BASE_URL[flavor])
		.replace(/\/+$/, '')
		.replace(/\/openai\/v1$/, '')
		.replace(/\/v1$/, '')
		.replace(/\/openai$/, '');
	return host + API_PATH_PREFIX[flavor];
}

/**
 * The same computation as apiRootOf, as an n8n expression over $credentials, for the credential test
 * (which n8n runs declaratively and cannot call our code). test/connection.test.mts checks both agree.
 */
export const API_ROOT_EXPRESSION =
	'={{ (($credentials.baseUrl || "").trim() || ' +
	`(${JSON.stringify(DEFAULT_BASE_URL)})[$credentials.apiFlavor])` +
	'.replace(/\\/+$/, "").replace(/\\/openai\\/v1$/, "").replace(/\\/v1$/, "").replace(/\\/openai$/, "")' +
	` + (${JSON.stringify(API_PATH_PREFIX)})[$credentials.apiFlavor] }}`;

/** Problems with the stored credential that we can name before any request is made. */
export function connectionProblem(flavor: unknown, baseUrl: string, apiKey: string): string | undefined {
	if (!isApiFlavor(flavor)) return `Unknown API flavor "${String(flavor)}". Allowed: ${API_FLAVORS.join(', ')}.`;
	if (!apiKey.trim()) return 'The Sora API credential has no API key. Open the credential and paste your key.';
	const url = baseUrl.trim() || DEFAULT_BASE_URL[flavor];
	if (!url) {
		return 'The Azure flavor needs your resource URL as Base URL, e.g. https://YOUR-RESOURCE.openai.azure.com.';
	}
	if (!/^https?:\/\/[^/\s]+/i.test(url)) {
		return `The Base URL "${url}" must start with https:// (or http://), e.g. ${DEFAULT_BASE_URL.toapis}.`;
	}
	return undefined;
}
