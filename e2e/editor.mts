/**
 * The nodes as a person sees them: real n8n's editor in headless Chromium (Debian's package, driven by
 * playwright-core). Opens a workflow with Sora Generate nodes (sora-2, sora-2-vvip, sora-2-vip, kling-v3), checks that
 * the parameters render, that the Duration choices follow the model and that a family's fields show only for its
 * models, and saves a screenshot for the README.
 * Used by e2e/suites/1-regular.e2e.mts: `editorChecks({ url, workflow, email, password, out })` gives one result
 * per check (key, ok, text); a check it never reached is missing from the list.
 */
import { chromium, type Page } from 'playwright-core';

export type EditorCheck = 'opens' | 'durations' | 'vipDurations' | 'size' | 'variants' | 'soraNoResolution' | 'klingFields' | 'screenshot';
export interface EditorResult {
	key: EditorCheck;
	ok: boolean;
	text: string;
}

/** Opens a node's details view (optionally saving a screenshot of it); returns how to wait for it to close. */
async function openNode(page: Page, nodeName: string, screenshot?: string) {
	await page.locator(`[data-node-name="${nodeName}"]`).first().dblclick();
	const prompt = page.getByText('Prompt', { exact: true }).first();
	await prompt.waitFor({ timeout: 20_000 });
	await page.waitForTimeout(1000);
	if (screenshot) await page.screenshot({ path: screenshot });
	return async () => {
		await closeNode(page);
		await prompt.waitFor({ state: 'hidden', timeout: 10_000 });
	};
}

/** The choices of an options parameter of the open node, as the dropdown shows them: name and description. */
async function choicesOf(page: Page, parameter: string): Promise<Array<{ name: string; description: string }>> {
	await page.locator(`[data-test-id="parameter-input-${parameter}"]`).first().click();
	const items = page.locator('.el-select-dropdown__item:visible, [role="option"]:visible');
	await items.first().waitFor({ timeout: 20_000 });
	await page.waitForTimeout(500);
	const texts = await items.allInnerTexts();
	await page.keyboard.press('Escape'); // the dropdown
	await page.waitForTimeout(300);
	return texts
		.map((t) => t.split('\n').map((line) => line.trim()).filter(Boolean))
		.filter((lines) => lines.length)
		.map(([name, ...rest]) => ({ name, description: rest.join(' ') }));
}

/** Opens the node, reads the Duration choices, closes it. */
async function durationsOf(page: Page, nodeName: string, screenshot?: string): Promise<string[]> {
	const close = await openNode(page, nodeName, screenshot);
	const names = (await choicesOf(page, 'duration')).map((c) => c.name);
	await close();
	return names;
}


/** Closes the node details view: its close button where we can find it, else a click on the backdrop. */
async function closeNode(page: Page): Promise<void> {
	for (const selector of ['[data-test-id="ndv-close-button"]', '[data-test-id="ndv-close"]', '[data-test-id="back-to-canvas"]', '[data-test-id="ndv"] button[aria-label="Close"]', 'button[aria-label="Close"]']) {
		const button = page.locator(selector).first();
		if (await button.isVisible().catch(() => false)) {
			await button.click();
			return;
		}
	}
	await page.mouse.click(8, 450); // the dimmed canvas around the dialog
}

export async function editorChecks({ url, workflow, email, password, out }: { url: string; workflow: string; email: string; password: string; out: string }): Promise<{ results: EditorResult[]; error?: string }> {
	const debugShot = out.replace(/\.png$/, '-debug.png');
	const results: EditorResult[] = [];
	let error_: string | undefined;
	const check = (key: EditorCheck, ok: boolean, pass: string, failure: string) => results.push({ key, ok, text: ok ? pass : failure });
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	try {
		await page.goto(`${url}/signin`);
		await page.locator('input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(email);
		await page.locator('input[type="password"]').first().fill(password);
		await page.keyboard.press('Enter');
		await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30_000 });
		await page.goto(`${url}/workflow/${workflow}`);
		await page.locator('[data-node-name="Sora Generate"]').first().waitFor({ timeout: 30_000 });
		check('opens', true, 'the workflow with Sora Generate nodes opens, the nodes render on the canvas', '');

		// The open node, parameters and all, is the README's screenshot.
		const sora2 = await durationsOf(page, 'Sora Generate', out);
		const vvip = await durationsOf(page, 'Sora Generate (vvip)');
		const ok2 = sora2.join('|') === 'Provider Default|10 Seconds|15 Seconds';
		const okV = vvip.join('|') === 'Provider Default|4 Seconds|8 Seconds|12 Seconds';
		check('durations', ok2 && okV, `Duration choices follow the model: sora-2 [${sora2.join(', ')}], sora-2-vvip [${vvip.join(', ')}]`, `Duration choices sora-2 [${sora2.join(', ')}], sora-2-vvip [${vvip.join(', ')}]`);

		// sora-2-vip: the seeds document no durations, so the editor must not claim any; on toapis there is no Size to
		// choose; the variants field carries the name the error messages use.
		const close = await openNode(page, 'Sora Generate (vip)');
		const vip = await choicesOf(page, 'duration');
		const claims = vip.slice(1).filter((c) => c.description !== 'Not documented for sora-2-vip: the provider decides');
		check(
			'vipDurations',
			vip.length > 1 && claims.length === 0,
			`sora-2-vip durations say "Not documented for sora-2-vip: the provider decides" (${vip.length - 1} choices)`,
			`sora-2-vip durations: ${JSON.stringify(vip)}`,
		);
		const sizes = await choicesOf(page, 'size');
		check(
			'size',
			sizes.length === 1 && sizes[0].name === 'Not Used on Toapis: Choose the Aspect Ratio',
			`Additional Fields → Size on a toapis credential offers no size: "${sizes[0]?.name}"`,
			`Size choices on toapis: ${JSON.stringify(sizes)}`,
		);
		const variants = await page.getByText('Number of Variants', { exact: true }).count();
		const oldLabel = await page.getByText('Number of Variants (N)', { exact: true }).count();
		check('variants', variants > 0 && oldLabel === 0, 'the variants field is labelled "Number of Variants", the name its errors use', `labels: "Number of Variants" ×${variants}, "(N)" ×${oldLabel}`);
		const soraResolution = await page.getByText('Resolution Name or ID', { exact: true }).count();
		check('soraNoResolution', soraResolution === 0, 'a Sora model shows no Resolution field (family fields hide)', `Resolution shown for sora-2-vip ×${soraResolution}`);
		await close();

		// A toapis family model: its fields show (displayOptions on the Model's value), with the choices of its row.
		// Its picture beside the Sora one: Sora Generate with a non-Sora model
		const closeKling = await openNode(page, 'Sora Generate (kling)', out.replace(/\.png$/, '-kling-v3.png'));
		const modes = (await choicesOf(page, 'resolution')).map((c) => c.name);
		const klingDurations = (await choicesOf(page, 'duration')).map((c) => c.name);
		const media = await page.getByText('Media', { exact: true }).count();
		const imageUrls = await page.getByText('Image URLs', { exact: true }).count();
		check(
			'klingFields',
			modes.join('|') === 'Provider Default|Std (720p)|Pro (1080p)' && klingDurations.length === 14 && media > 0 && imageUrls === 0,
			`kling-v3 shows its fields: Resolution [${modes.join(', ')}], ${klingDurations.length - 1} durations (3–15 s), Media; no Image URLs`,
			`kling-v3: resolution ${JSON.stringify(modes)}, durations ${JSON.stringify(klingDurations)}, Media ×${media}, Image URLs ×${imageUrls}`,
		);
		await closeKling();
		check('screenshot', true, `screenshot saved to ${out}`, '');
	} catch (error) {
		await page.screenshot({ path: debugShot }).catch(() => undefined);
		const buttons = await page.evaluate(() =>
			Array.from(document.querySelectorAll('button, [role="button"]')).map((b) => `${b.getAttribute('data-test-id') ?? ''}|${b.getAttribute('aria-label') ?? ''}|${(b.textContent ?? '').trim().slice(0, 20)}`).slice(0, 60),
		).catch(() => []);
		error_ = `${(error as Error).message.split('\n')[0]} (screenshot: ${debugShot}; buttons: ${buttons.join(' ; ')})`;
	} finally {
		await browser.close();
	}
	return { results, error: error_ };
}
