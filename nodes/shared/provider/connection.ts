import { z } from 'zod/v4';
import { API_FLAVORS, type ApiFlavor } from '../domain/api';

/**
 * Where the Sora API lives for a given credential: the API flavor and the root URL every path hangs off.
 * The credential stores what the user typed; everything else in the package reads it through here.
 */
export const DEFAULT_BASE_URL: Record<ApiFlavor, string> = {
	toapis: 'https://toapis.com',
	// OpenAI's own Videos API is gone (2026-09-24): every OpenAI-style host is the user's own choice of reseller.
	openaiCompatible: '',
	azure: '',
};

export interface SoraConnection {
	flavor: ApiFlavor;
	/** e.g. https://toapis.com/v1 or https://res.openai.azure.com/openai/v1, without a trailing slash */
	apiRoot: string;
	/** toapis: the default webhook URL set for the token in the toapis console, if the user entered it */
	webhookUrl?: string;
}

/**
 * The Base URL is used as typed, as OpenAI's SDK uses its baseURL: gateways put the API under any path
 * (`https://gw.example/openai/v1`, a Cloudflare AI Gateway root ending in `/openai`, `…/api/paas/v4`), so nothing
 * is dropped from it. Only trailing slashes go, and a version is added where the credential's field description
 * says so (docs/providers.md#15-base-urls):
 * - toapis: `/v1` unless the URL already ends with it (`https://toapis.com` and `https://toapis.com/v1` alike);
 * - OpenAI-compatible: `/v1` when the URL is a bare host (`https://host.example`), nothing when it has a path;
 * - Azure: `/openai/v1` after a bare resource host, `/v1` after a URL ending in `/openai`, nothing otherwise.
 */
const TRAILING_SLASHES = /\/+$/;
const BARE_HOST = /^[a-z][a-z0-9+.-]*:\/\/[^/]+$/i;
const ENDS_WITH_V1 = /\/v1$/;
const ENDS_WITH_OPENAI = /\/openai$/;

export function apiRootOf(flavor: ApiFlavor, baseUrl: string): string {
	const url = (baseUrl.trim() || DEFAULT_BASE_URL[flavor]).replace(TRAILING_SLASHES, '');
	if (flavor === 'toapis') return ENDS_WITH_V1.test(url) ? url : url + '/v1';
	if (BARE_HOST.test(url)) return url + (flavor === 'azure' ? '/openai/v1' : '/v1');
	if (flavor === 'azure' && ENDS_WITH_OPENAI.test(url)) return url + '/v1';
	return url;
}

/**
 * The same computation as apiRootOf, as an n8n expression over $credentials, for the credential test
 * (which n8n runs declaratively and cannot call our code). test/connection.test.mts checks both agree.
 */
const URL_EXPRESSION =
	'(($credentials.baseUrl || "").trim() || ' +
	`(${JSON.stringify(DEFAULT_BASE_URL)})[$credentials.apiFlavor])` +
	`.replace(${String(TRAILING_SLASHES)}, "")`;
export const API_ROOT_EXPRESSION =
	'={{ $credentials.apiFlavor === "toapis" ' +
	`? (${String(ENDS_WITH_V1)}.test(${URL_EXPRESSION}) ? ${URL_EXPRESSION} : ${URL_EXPRESSION} + "/v1") ` +
	`: ${String(BARE_HOST)}.test(${URL_EXPRESSION}) ` +
	`? ${URL_EXPRESSION} + ($credentials.apiFlavor === "azure" ? "/openai/v1" : "/v1") ` +
	`: $credentials.apiFlavor === "azure" && ${String(ENDS_WITH_OPENAI)}.test(${URL_EXPRESSION}) ` +
	`? ${URL_EXPRESSION} + "/v1" : ${URL_EXPRESSION} }}`;

// zod is not a dependency of this package: n8n ships it and community nodes may import it (the real-n8n
// test runs this code from a packed copy without node_modules to prove that).
const credentialSchema = z
	.object({
		apiFlavor: z.enum(['toapis', 'openaiCompatible', 'azure'], {
			message: `Unknown API flavor. Allowed: ${API_FLAVORS.join(', ')}.`,
		}),
		apiKey: z
			.string()
			.trim()
			.min(1, 'The Sora API credential has no API key. Open the credential and paste your key.'),
		baseUrl: z.string().trim(),
	})
	.transform((value) => ({ ...value, baseUrl: value.baseUrl || DEFAULT_BASE_URL[value.apiFlavor] }))
	.refine((value) => value.baseUrl !== '' || value.apiFlavor !== 'azure', {
		message:
			'The Azure flavor needs your resource URL as Base URL, e.g. https://YOUR-RESOURCE.openai.azure.com.',
	})
	.refine((value) => value.baseUrl !== '', {
		message:
			"The OpenAI-Compatible flavor needs your provider's API address as Base URL, e.g. https://your-host.example.com/v1 (a new-api reseller such as tokenhot). OpenAI's own Videos API no longer serves Sora.",
	})
	.refine((value) => value.baseUrl === '' || /^https?:\/\/[^/\s]+/i.test(value.baseUrl), {
		message: 'The Base URL must start with https:// (or http://), e.g. https://toapis.com.',
	});

/** Problems with the stored credential that we can name before any request is made. */
export function connectionProblem(
	flavor: unknown,
	baseUrl: string,
	apiKey: string,
): string | undefined {
	const parsed = credentialSchema.safeParse({ apiFlavor: flavor, baseUrl, apiKey });
	if (parsed.success) return undefined;
	const message = parsed.error.issues[0].message;
	if (message.startsWith('Unknown API flavor'))
		return message.replace('flavor.', `flavor "${String(flavor)}".`);
	if (message.startsWith('The Base URL'))
		return message.replace('Base URL', `Base URL "${baseUrl.trim()}"`);
	return message;
}
