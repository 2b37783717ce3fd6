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
	/** toapis: the default webhook URL set for the token in the toapis console, if the user entered it */
	webhookUrl?: string;
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
