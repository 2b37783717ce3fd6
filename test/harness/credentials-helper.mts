/**
 * The part of n8n's credentials service a node execution uses: it hands the node its decrypted
 * credential and authenticates requests through the credential class's own authenticate(), as
 * n8n's CredentialsHelper does for credentials that define it as a function.
 */
import {
	ICredentialsHelper,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type ICredentials,
	type IHttpRequestOptions,
	type INodeProperties,
} from 'n8n-workflow';

export class TestCredentialsHelper extends ICredentialsHelper {
	private data: Record<string, ICredentialDataDecryptedObject> = {};

	/** `label`: put on every request this helper authenticates (header x-sim-label), so the simulator's record tells whose it was */
	constructor(
		private readonly types: Record<string, ICredentialType>,
		private readonly label?: string,
	) {
		super();
	}

	setCredentials(data: Record<string, ICredentialDataDecryptedObject>) {
		this.data = data;
	}

	private type(name: string): ICredentialType {
		const type = this.types[name];
		if (!type) throw new Error(`unknown credential type ${name}`);
		return type;
	}

	async getDecrypted(_additionalData: unknown, _nodeCredentials: unknown, type: string): Promise<ICredentialDataDecryptedObject> {
		this.type(type);
		const data = this.data[type];
		if (!data) throw new Error(`no ${type} credential set for this run`);
		// n8n decrypts a fresh copy for every use: a node must not be able to change the stored one.
		return structuredClone(data);
	}

	async authenticate(credentials: ICredentialDataDecryptedObject, typeName: string, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate !== 'function') throw new Error(`${typeName}: only credentials with an authenticate() function are supported here`);
		const authenticated = await authenticate(credentials, requestOptions);
		return this.label ? { ...authenticated, headers: { ...authenticated.headers, 'x-sim-label': this.label } } : authenticated;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.type(type).properties;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('raw credential records are not part of these tests');
	}

	async updateCredentials(): Promise<void> {
		throw new Error('a Sora node never updates its credential');
	}

	async updateCredentialsOauthTokenData(): Promise<void> {
		throw new Error('a Sora node never updates its credential');
	}
}
