import { describe, expect, it } from 'vitest';
import type { ApiFlavor } from '../nodes/shared/domain/api';
import {
	API_ROOT_EXPRESSION,
	apiRootOf,
	connectionProblem,
} from '../nodes/shared/provider/connection';

/** Evaluates the credential-test expression the way n8n would, for plain $credentials access. */
function evaluateExpression(credentials: Record<string, string>): string {
	const body = API_ROOT_EXPRESSION.replace(/^=\{\{/, '').replace(/\}\}$/, '');
	return new Function('$credentials', `return (${body});`)(credentials) as string;
}

const cases: Array<[ApiFlavor, string, string]> = [
	['toapis', '', 'https://toapis.com/v1'],
	['toapis', 'https://toapis.com', 'https://toapis.com/v1'],
	['toapis', 'https://toapis.com/', 'https://toapis.com/v1'],
	['toapis', 'https://toapis.com/v1/', 'https://toapis.com/v1'],
	['toapis', ' https://toapis.com/v1 ', 'https://toapis.com/v1'],
	['openaiCompatible', 'https://host.example/v1', 'https://host.example/v1'],
	['openaiCompatible', 'https://host.example', 'https://host.example/v1'],
	['openaiCompatible', 'http://127.0.0.1:9/', 'http://127.0.0.1:9/v1'],
	// used as typed, as OpenAI's SDK uses its baseURL: nothing dropped, nothing added after a path
	['openaiCompatible', 'https://gw.example/openai/v1', 'https://gw.example/openai/v1'],
	['openaiCompatible', 'https://gw.example/api/openai/v1/', 'https://gw.example/api/openai/v1'],
	[
		'openaiCompatible',
		'https://gateway.ai.cloudflare.com/v1/acct/gw/openai',
		'https://gateway.ai.cloudflare.com/v1/acct/gw/openai',
	],
	[
		'openaiCompatible',
		'https://open.bigmodel.cn/api/paas/v4',
		'https://open.bigmodel.cn/api/paas/v4',
	],
	['azure', 'https://res.openai.azure.com', 'https://res.openai.azure.com/openai/v1'],
	['azure', 'https://res.openai.azure.com/', 'https://res.openai.azure.com/openai/v1'],
	['azure', 'https://res.openai.azure.com/openai/v1/', 'https://res.openai.azure.com/openai/v1'],
	['azure', 'https://res.openai.azure.com/openai', 'https://res.openai.azure.com/openai/v1'],
	[
		'azure',
		'https://res.services.ai.azure.com/openai/v1',
		'https://res.services.ai.azure.com/openai/v1',
	],
	['azure', 'https://apim.example/sora/openai/v1', 'https://apim.example/sora/openai/v1'],
];

describe('API root', () => {
	it.each(cases)('%s + "%s" → %s', (flavor, baseUrl, root) => {
		expect(apiRootOf(flavor, baseUrl)).toBe(root);
	});

	it.each(cases)('the credential-test expression agrees: %s + "%s"', (flavor, baseUrl, root) => {
		expect(evaluateExpression({ apiFlavor: flavor, baseUrl })).toBe(root);
	});

	it('names what is wrong with a credential before any request', () => {
		expect(connectionProblem('toapis', 'https://toapis.com', '')).toMatch(/no API key/);
		expect(connectionProblem('toapis', 'toapis.com', 'sk-x')).toMatch(/must start with https:\/\//);
		expect(connectionProblem('azure', '', 'k')).toMatch(/Azure flavor needs your resource URL/);
		expect(connectionProblem('other', '', 'k')).toMatch(/Unknown API flavor "other"/);
		expect(connectionProblem('openaiCompatible', '', 'k')).toMatch(
			/OpenAI-Compatible flavor needs your provider's API address as Base URL/,
		);
		expect(connectionProblem('openaiCompatible', 'https://host.example/v1', 'k')).toBeUndefined();
	});
});
