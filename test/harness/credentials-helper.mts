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

/** How many times each step fails before it works, with the error n8n's Postgres gives while it restarts. */
export interface CredentialFaults {
	/** Reading the credential from the database */
	getDecrypted?: number;
	/** Preparing a request with it (runs per request, before anything is sent) */
	authenticate?: number;
	/** Every read of the credential from this one on fails: the database went away mid-run */
	getDecryptedDownFrom?: number;
}

function databaseRestarting(): Error {
	return Object.assign(new Error('the database system is starting up'), { code: '57P03' });
}

export class TestCredentialsHelper extends ICredentialsHelper {
	private data: Record<string, ICredentialDataDecryptedObject> = {};
	private faults: CredentialFaults = {};
	/** How often each step was asked for, in the current run */
	readonly calls = { getDecrypted: 0, authenticate: 0 };

	/** `label`: put on every request this helper authenticates (header x-sim-label), so the simulator's record tells whose it was */
	constructor(
		private readonly types: Record<string, ICredentialType>,
		private readonly label?: string,
	) {
		super();
	}

	setCredentials(
		data: Record<string, ICredentialDataDecryptedObject>,
		faults: CredentialFaults = {},
	) {
		this.data = data;
		this.faults = { ...faults };
		this.calls.getDecrypted = 0;
		this.calls.authenticate = 0;
	}

	private fail(step: 'getDecrypted' | 'authenticate'): void {
		this.calls[step]++;
		const down =
			step === 'getDecrypted' && this.calls[step] >= (this.faults.getDecryptedDownFrom ?? Infinity);
		if (down) throw databaseRestarting();
		if ((this.faults[step] ?? 0) > 0) {
			this.faults[step]!--;
			throw databaseRestarting();
		}
	}

	private type(name: string): ICredentialType {
		const type = this.types[name];
		if (!type) throw new Error(`unknown credential type ${name}`);
		return type;
	}

	async getDecrypted(
		_additionalData: unknown,
		_nodeCredentials: unknown,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		this.type(type);
		this.fail('getDecrypted');
		const data = this.data[type];
		if (!data) throw new Error(`no ${type} credential set for this run`);
		// n8n decrypts a fresh copy for every use: a node must not be able to change the stored one.
		return structuredClone(data);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		this.fail('authenticate');
		const { authenticate } = this.type(typeName);
		if (typeof authenticate !== 'function')
			throw new Error(
				`${typeName}: only credentials with an authenticate() function are supported here`,
			);
		const authenticated = await authenticate(credentials, requestOptions);
		return this.label
			? { ...authenticated, headers: { ...authenticated.headers, 'x-sim-label': this.label } }
			: authenticated;
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
