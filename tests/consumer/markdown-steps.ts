/**
 * Reads the steps of a README section: its fenced code blocks in order. A block right after a
 * line ending in `` `some/file.ext`: `` (or naming the file as "…, `file`:") is a file to write;
 * an `sh` block is commands to run, one a line; other blocks are illustrations.
 */
import { readFileSync } from 'node:fs';

export type Step = { kind: 'file'; path: string; content: string } | { kind: 'commands'; lines: string[] };

/** The text under `heading` (a `## ` heading), up to the next heading of the same level. */
export function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no "## ${heading}" section`);
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, next < 0 ? undefined : next);
}

export function stepsOf(section: string): Step[] {
  const steps: Step[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (const match of section.matchAll(fence)) {
    const [, lang, body = ''] = match;
    const before = section.slice(0, match.index).trimEnd().split('\n').at(-1) ?? '';
    const file = /`([\w./-]+\.\w+)`:$/.exec(before)?.[1];
    if (file) steps.push({ kind: 'file', path: file, content: body });
    else if (lang === 'sh')
      steps.push({ kind: 'commands', lines: body.split('\n').filter((line) => line.trim()) });
  }
  return steps;
}

/** The first fenced block of a section with the given language. */
export function firstBlock(section: string, lang: string): string {
  const match = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(section);
  if (!match?.[1]) throw new Error(`no ${lang} block in the section`);
  return match[1];
}

export function readMarkdown(url: URL): string {
  return readFileSync(url, 'utf8');
}
