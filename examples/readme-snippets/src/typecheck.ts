/**
 * Typechecks snippets against the workspace sources with the TypeScript compiler API (the
 * tsconfig's `paths` map `@fr/*` to `packages/*\/src`), in two passes:
 * 1. name resolution only (no libraries, no imports followed: milliseconds): a snippet's
 *    "Cannot find name" diagnostics that the prelude exports are its free names (`backbone`,
 *    `dataset`, `test`…);
 * 2. the full check, each snippet importing its free names from the prelude: what is reported is
 *    an error of the snippet (or a free name the prelude lacks).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { snippetFileName, snippetSource, type Snippet, type SnippetSource } from './snippet.js';

export interface TypecheckOptions {
  /** Folder the snippet modules are written to (inside the workspace, so packages resolve). */
  readonly outDir: string;
  /** The tsconfig whose compiler options (and `paths`) the snippets are checked with. */
  readonly tsconfig: string;
  /** The prelude module (absolute path) and how a snippet file in `outDir` imports it. */
  readonly prelude: string;
  readonly preludeSpecifier: string;
}

/** A snippet as written to disk, with what the compiler said about it. */
export interface CheckedSnippet {
  readonly snippet: Snippet;
  /** The module file (imports its free names from the prelude): what gets run. */
  readonly file: string;
  readonly source: SnippetSource;
  /** Free names taken from the prelude. */
  readonly preludeNames: readonly string[];
  /** `README:line:column TS<code>: message`, empty when the snippet typechecks. */
  readonly errors: readonly string[];
}

// "Cannot find name 'x'" and its variants (… Did you mean …? / … type definitions for a test runner?),
// and "No value exists in scope for the shorthand property 'x'" (`{ backbone, dataset }`).
const CANNOT_FIND_NAME = new Set([2304, 2552, 2582, 2593, 18004]);

function compilerOptions(tsconfig: string): ts.CompilerOptions {
  const read = ts.readConfigFile(tsconfig, (path) => ts.sys.readFile(path));
  if (read.error) throw new Error(`${tsconfig}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(tsconfig), undefined, tsconfig);
  return { ...parsed.options, noEmit: true };
}

function snippetDiagnostics(program: ts.Program, file: string): readonly ts.Diagnostic[] {
  const sourceFile = program.getSourceFile(file);
  if (!sourceFile) throw new Error(`typecheck: ${file} is not in the program`);
  return [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
}

function freeName(diagnostic: ts.Diagnostic): string | undefined {
  if (!CANNOT_FIND_NAME.has(diagnostic.code)) return undefined;
  return /(?:Cannot find name|shorthand property) '([^']+)'/.exec(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))?.[1];
}

function describe(diagnostic: ts.Diagnostic, source: SnippetSource, snippet: Snippet, preludeFile: string): string {
  let message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (freeName(diagnostic) !== undefined) {
    message += ` — neither declared in the snippet nor exported by the prelude (${preludeFile}): declare or import it, or add a tiny real value to the prelude`;
  }
  const start = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
  const at = start ? source.locate(start.line + 1) : undefined;
  const where = at ? `${at.readme}:${at.line}:${(start?.character ?? 0) + 1}` : snippet.id;
  return `${where} TS${diagnostic.code}: ${message}`;
}

/** Writes the snippets as modules into `options.outDir` and typechecks them all in one program. */
export function typecheckSnippets(snippets: readonly Snippet[], options: TypecheckOptions): CheckedSnippet[] {
  rmSync(options.outDir, { recursive: true, force: true }); // no stale snippet of an edited README
  mkdirSync(options.outDir, { recursive: true });
  const compiler = compilerOptions(options.tsconfig);
  const files = snippets.map((snippet) => join(options.outDir, snippetFileName(snippet)));
  const write = (i: number, preludeNames: readonly string[]): SnippetSource => {
    const importLine = preludeNames.length > 0 ? `import { ${preludeNames.join(', ')} } from '${options.preludeSpecifier}';` : '';
    const source = snippetSource(snippets[i] as Snippet, importLine);
    writeFileSync(files[i] as string, source.text);
    return source;
  };

  // Pass 1: scope analysis of the snippets alone (a name the libraries declare is reported too,
  // but only names the prelude exports are taken).
  snippets.forEach((_, i) => write(i, []));
  const scopeOnly = ts.createProgram([...files, options.prelude], { ...compiler, noLib: true, noResolve: true, types: [] });
  const preludeFile = scopeOnly.getSourceFile(options.prelude);
  const preludeModule = preludeFile && scopeOnly.getTypeChecker().getSymbolAtLocation(preludeFile);
  if (!preludeModule) throw new Error(`typecheck: the prelude ${options.prelude} is not a module`);
  const exported = new Set(scopeOnly.getTypeChecker().getExportsOfModule(preludeModule).map((s) => s.name));
  const preludeNames = files.map((file) => {
    const free = new Set(snippetDiagnostics(scopeOnly, file).map(freeName).filter((n): n is string => n !== undefined));
    return [...free].filter((name) => exported.has(name)).sort();
  });

  // Pass 2: the full check, free names imported from the prelude.
  const sources = snippets.map((_, i) => write(i, preludeNames[i] as string[]));
  const program = ts.createProgram([...files, options.prelude], compiler);
  return snippets.map((snippet, i) => ({
    snippet,
    file: files[i] as string,
    source: sources[i] as SnippetSource,
    preludeNames: preludeNames[i] as string[],
    errors: snippetDiagnostics(program, files[i] as string).map((d) => describe(d, sources[i] as SnippetSource, snippet, options.prelude)),
  }));
}
