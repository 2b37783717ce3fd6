import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';
import { API_ROOT_EXPRESSION, DEFAULT_BASE_URL } from '../nodes/shared/provider/connection';

export class SoraApi implements ICredentialType {
	name = 'soraApi';

	displayName = 'Sora API';

	icon: Icon = { light: 'file:../icons/sora.svg', dark: 'file:../icons/sora.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-sora/n8n-nodes-sora#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Flavor',
			name: 'apiFlavor',
			type: 'options',
			default: 'toapis',
			options: [
				{
					name: 'Azure OpenAI',
					value: 'azure',
					description:
						'Azure OpenAI v1 Videos API (/openai/v1/videos), api-key header, model = deployment name',
				},
				{
					name: 'OpenAI-Compatible',
					value: 'openaiCompatible',
					description:
						'Hosts with the OpenAI Videos API shape (/v1/videos), e.g. tokenhot and other new-api hosts',
				},
				{
					name: 'Toapis',
					value: 'toapis',
					description:
						'Toapis task API (/v1/videos/generations) with sora-2, sora-2-pro, sora-2-vip, sora-2-vvip, sora-2-official',
				},
			],
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL.toapis,
			description:
				'Root of the toapis API, e.g. https://toapis.com. Requests go to <Base URL>/v1/videos/generations and so on; "/v1" is added unless the URL already ends with it.',
			displayOptions: { show: { apiFlavor: ['toapis'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL.openaiCompatible,
			required: true,
			placeholder: 'https://your-host.example.com/v1',
			description:
				'The base URL your provider gives for OpenAI\'s SDK (a reseller running new-api such as tokenhot, or your own gateway), used as typed, as the SDK uses it: requests go to <Base URL>/videos. Only a bare host (https://host.example) gets "/v1" added. OpenAI\'s own API no longer serves Sora videos.',
			displayOptions: { show: { apiFlavor: ['openaiCompatible'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL.azure,
			required: true,
			placeholder: 'https://your-resource.openai.azure.com',
			description:
				'Your Azure OpenAI resource endpoint (https://your-resource.openai.azure.com) or its v1 API root (…/openai/v1). Requests go to <resource>/openai/v1/videos: "/openai/v1" is added to a bare host, "/v1" to a URL ending in "/openai"; any other URL (e.g. an API gateway) is used as typed.',
			displayOptions: { show: { apiFlavor: ['azure'] } },
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
		},
		{
			displayName: 'Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			default: '',
			placeholder: 'https://n8n.example.com/webhook/your-trigger-id/webhook',
			description:
				'Optional. The default webhook URL set for this token in the toapis console (copy the Production URL of your Sora Trigger there). Callback URLs in Sora Generate may only change its path and query.',
			displayOptions: { show: { apiFlavor: ['toapis'] } },
		},
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Required for Sora Trigger, unused otherwise. The signing secret toapis shows next to the webhook URL in its console. Sora Trigger refuses every event whose signature it does not match.',
			displayOptions: { show: { apiFlavor: ['toapis'] } },
		},
	];

	// The flavor decides the header: Azure takes "api-key", the others a bearer token. A function (not a
	// generic header template) so that exactly one of the two headers is ever sent.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const apiKey = String(credentials.apiKey ?? '').trim();
		const header: Record<string, string> =
			credentials.apiFlavor === 'azure'
				? { 'api-key': apiKey }
				: { Authorization: `Bearer ${apiKey}` };
		return { ...requestOptions, headers: { ...(requestOptions.headers ?? {}), ...header } };
	}

	// Costs nothing on any flavor. OpenAI-style hosts and Azure list models (200 with a good key, 401
	// without). Toapis has no free listing endpoint, so we read a task id that cannot exist: a good key
	// gets 404 "Task not found", a bad one 401 "authentication_error"; the rules tell the two apart.
	test: ICredentialTestRequest = {
		request: {
			baseURL: API_ROOT_EXPRESSION,
			// toapis: the token's balance (free, generation-free); OpenAI-style hosts: the model list.
			url: '={{ $credentials.apiFlavor === "toapis" ? "/balance" : "/models" }}',
			method: 'GET',
			ignoreHttpStatusErrors: '={{ $credentials.apiFlavor === "toapis" }}' as unknown as boolean,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'success',
					value: false,
					message:
						"toapis could not read this key's token (success: false): check in the toapis console that the token exists and is enabled.",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.type',
					value: 'authentication_error',
					message:
						'The API key was rejected (401). Copy the key again from your provider dashboard.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.code',
					value: 401,
					message:
						'The API key was rejected (401). Copy the key again from your provider dashboard.',
				},
			},
			// n8n also honours responseCode rules (for answers it treats as errors); its types lag behind.
			// Its messages are fixed text: they state the URL rule, since n8n cannot show the URL it called.
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						"Nothing answered at this Base URL (404). The URL is used as typed, as OpenAI's SDK uses it: requests go to <Base URL>/videos and this test reads <Base URL>/models (only a bare host gets /v1, or /openai/v1 on Azure). Check the Base URL against your provider's documentation.",
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'The API key was rejected (401). Copy the key again from your provider dashboard.',
				},
			},
		] as unknown as ICredentialTestRequest['rules'],
	};
}
