import type { ApiFlavor } from '../../domain/api';
import { azureAdapter, openAiCompatibleAdapter } from './openai';
import { toapisAdapter } from './toapis';
import type { FlavorAdapter } from './types';

const ADAPTERS: Record<ApiFlavor, FlavorAdapter> = {
	toapis: toapisAdapter,
	openaiCompatible: openAiCompatibleAdapter,
	azure: azureAdapter,
};

export function adapterFor(flavor: ApiFlavor): FlavorAdapter {
	return ADAPTERS[flavor];
}

export type { ApiCall, FlavorAdapter, MediaSource } from './types';
