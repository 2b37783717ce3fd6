import type { MediaRole, VideoRequest } from '../../domain/requests';
import { MEDIA_ROLES, type FamilyModelRule, type WireMedia } from './family';

/**
 * A family request as its toapis create body, from the row's wire paths: pure, so the validation can see the
 * fields the node sets (Extra Body Fields may not override them) and the toapis adapter sends the same body.
 */

type Body = Record<string, unknown>;

function isPlainObject(value: unknown): value is Body {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets a dotted path ("metadata.negative_prompt"), creating objects on the way. */
function setPath(body: Body, path: string, value: unknown): void {
	const keys = path.split('.');
	let at = body;
	for (const key of keys.slice(0, -1)) {
		if (!isPlainObject(at[key])) at[key] = {};
		at = at[key] as Body;
	}
	at[keys[keys.length - 1]] = value;
}

/** Merges b into a, objects key by key (a family's media and its fields both fill metadata). */
function deepMerge(a: Body, b: Body): Body {
	for (const [key, value] of Object.entries(b)) {
		if (isPlainObject(a[key]) && isPlainObject(value)) deepMerge(a[key] as Body, value);
		else a[key] = value;
	}
	return a;
}

/** The request's media as URLs by role; files must have been uploaded (their URL filled in) before. */
export function wireMedia(request: VideoRequest): WireMedia {
	const roles = Object.fromEntries(MEDIA_ROLES.map((r) => [r, [] as string[]])) as Record<
		MediaRole,
		string[]
	>;
	const plain: string[] = [];
	for (const input of request.family?.media ?? []) {
		const url = input.url ?? '';
		if (input.role === 'image') plain.push(url);
		else roles[input.role].push(url);
	}
	return { plain, roles };
}

export function familyBody(rule: FamilyModelRule, request: VideoRequest): Body {
	const family = request.family ?? { values: {}, media: [] };
	const body: Body = { model: request.model, prompt: request.prompt };
	if (request.duration !== undefined) body.duration = request.duration;
	if (family.aspectRatio) setPath(body, rule.aspectWire ?? 'aspect_ratio', family.aspectRatio);
	if (family.resolution) setPath(body, rule.resolutionWire ?? 'resolution', family.resolution);
	if (family.videoOperation && family.videoOperation !== 'generate')
		body.video_operation = family.videoOperation;
	for (const [field, value] of Object.entries(family.values)) {
		const fieldRule = rule.fields[field as keyof FamilyModelRule['fields']];
		if (!fieldRule) continue;
		// tools: [{type: "web_search"}] is how Seedance asks for a web search; off sends nothing.
		if (field === 'webSearch') {
			if (value === true) setPath(body, fieldRule.wire, [{ type: 'web_search' }]);
			continue;
		}
		setPath(body, fieldRule.wire, value);
	}
	deepMerge(body, rule.media(wireMedia(request)));
	if (request.callbackUrl) setPath(body, rule.callbackWire, request.callbackUrl);
	if (request.clientBusinessId) body.client_business_id = request.clientBusinessId;
	return body;
}

/** Extra Body Fields merged into a body: top-level keys, and metadata key by key. */
export function withExtraBody(body: Body, extra: Body | undefined): Body {
	if (!extra) return body;
	const merged: Body = { ...body };
	for (const [key, value] of Object.entries(extra)) {
		merged[key] =
			key === 'metadata' && isPlainObject(value) && isPlainObject(body.metadata)
				? { ...body.metadata, ...value }
				: value;
	}
	return merged;
}

/** The keys of Extra Body Fields that the node already sets in this body ("duration", "metadata.resolution"). */
export function extraBodyConflicts(body: Body, extra: Body): string[] {
	const conflicts: string[] = [];
	for (const [key, value] of Object.entries(extra)) {
		if (!(key in body)) continue;
		if (key === 'metadata' && isPlainObject(value) && isPlainObject(body.metadata)) {
			const meta = body.metadata;
			conflicts.push(
				...Object.keys(value)
					.filter((k) => k in meta)
					.map((k) => `metadata.${k}`),
			);
		} else conflicts.push(key);
	}
	return conflicts;
}
