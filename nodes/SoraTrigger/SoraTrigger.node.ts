import {
	NodeConnectionTypes,
	NodeOperationError,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { CREDENTIAL_NAME } from '../shared/domain/api';
import { triggerProperties } from './description';
import { receiveEvent } from './events';

export class SoraTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora Trigger',
		name: 'soraTrigger',
		icon: { light: 'file:../../icons/sora.svg', dark: 'file:../../icons/sora.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ {all: "Completed and failed", completed: "Completed", failed: "Failed"}[$parameter["events"]] }} videos',
		description:
			'Starts the workflow when a toapis Sora task finishes (signed task webhooks, no polling)',
		defaults: { name: 'Sora Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_NAME, required: true }],
		// toapis only reads the status code; without responseData n8n would answer the literal "firstEntryJson".
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: 'noData',
				path: 'webhook',
			},
		],
		properties: triggerProperties,
	};

	// toapis has no API to register webhooks: the URL and secret are set in its console. Activation checks that
	// the credential can verify signatures, so a workflow never goes live refusing every event.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const credentials = await this.getCredentials(CREDENTIAL_NAME);
				if (credentials.apiFlavor !== 'toapis' || !String(credentials.webhookSecret ?? '').trim()) {
					throw new NodeOperationError(
						this.getNode(),
						'Sora Trigger needs a toapis Sora API credential with a Webhook Signing Secret',
						{
							description:
								'Copy the signing secret shown next to the webhook URL in the toapis console into the credential.',
						},
					);
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveEvent(this);
	}
}
