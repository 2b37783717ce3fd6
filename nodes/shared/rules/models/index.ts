import type { FamilyField, FamilyModelRule } from './family';
import { list } from './sora';
import { GROK } from './grok';
import { KLING } from './kling';
import { MINIMAX } from './minimax';
import { SEEDANCE } from './seedance';
import { VEO } from './veo';
import { VIDU } from './vidu';
import { WAN } from './wan';

/**
 * The model table: Sora's rules (sora.ts) for every flavor, and toapis' other video families, one row per model
 * (family.ts describes a row). The editor and the validation both read it; docs/models.md is its reader's version.
 */

export * from './sora';
export * from './family';
export * from './fields';
export * from './wire';

/** toapis' video models other than Sora, in the order the editor lists them. */
export const FAMILY_MODELS: readonly FamilyModelRule[] = [
	...SEEDANCE,
	...KLING,
	...VEO,
	...GROK,
	...WAN,
	...MINIMAX,
	...VIDU,
];

/** The family row of a toapis model; undefined for Sora and for models the table does not know. */
export function familyModel(model: string): FamilyModelRule | undefined {
	return FAMILY_MODELS.find((m) => m.name === model);
}

export const FAMILY_MODEL_NAMES: readonly string[] = FAMILY_MODELS.map((m) => m.name);

/** Models whose row has a property: what the editor's display conditions list. */
export function modelsWhere(test: (model: FamilyModelRule) => boolean): string[] {
	return FAMILY_MODELS.filter(test).map((m) => m.name);
}

export function modelsTaking(field: FamilyField): string[] {
	return modelsWhere((m) => m.fields[field] !== undefined);
}

/** "Seedance 2 (seedance-2, seedance-2-fast), Kling v3 (kling-v3)": models grouped by family, for descriptions. */
export function byFamily(models: readonly string[]): string {
	const groups = new Map<string, string[]>();
	for (const name of models) {
		const row = familyModel(name);
		if (!row) continue;
		groups.set(row.family, [...(groups.get(row.family) ?? []), name]);
	}
	return [...groups].map(([family, names]) => `${family} (${names.join(', ')})`).join(', ');
}

/** "4 to 30 s, or -1 (auto)", "4, 6 or 8 s" */
export function describeDurations(rule: FamilyModelRule): string {
	const d = rule.durations;
	const contiguous = d.length > 3 && d[d.length - 1] - d[0] === d.length - 1;
	const text = contiguous ? `${d[0]} to ${d[d.length - 1]} s` : list(d, ' s');
	return rule.autoDuration ? `${text}, or -1 (auto)` : text;
}

/** Every family model's durations in words (the AI-agent tool description). */
export function familyDurations(): string {
	return FAMILY_MODELS.map((m) => `${m.name} ${describeDurations(m)}`).join('; ');
}
