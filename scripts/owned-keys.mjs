// The keys `npm start` owns in its collector.yaml and agent.yaml (the port and the paths). It
// sets them and keeps everything else the operator wrote (rules, notifiers, checks, backups,
// comments): a restart must not throw away their configuration. Imported once dependencies are
// installed, as it needs the yaml package.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Document, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { StartError } from './start-error.mjs';

function quote(text) {
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut);
}

function describeNode(node) {
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return `the alias *${node.source}`;
  if (!isScalar(node)) return 'something else';
  const { value } = node;
  if (typeof value === 'string') return `the text ${quote(value)}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${value}`;
  if (typeof value === 'boolean') return `the value ${value}`;
  return `the value ${quote(String(value))}`;
}

/** A key written with nothing after it (`collector:`), or a file of `~`: an empty section. */
function isEmpty(node) {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/**
 * Each section an owned key lives in must be a map, or nothing yet; the yaml package would
 * otherwise throw from setIn with its own stack. An empty one becomes an empty map.
 */
function checkSections(doc, owned, name) {
  if (isEmpty(doc.contents)) doc.contents = doc.createNode({});
  if (!isMap(doc.contents)) {
    const found = describeNode(doc.contents);
    throw new StartError(`${name}: expected a map of settings at the top, found ${found}`, 2);
  }
  for (const [path] of owned) {
    for (let depth = 1; depth < path.length; depth += 1) {
      const section = path.slice(0, depth);
      const node = doc.getIn(section, true);
      if (node === undefined || isMap(node)) continue;
      if (isEmpty(node)) {
        // The empty value may carry the operator's comments; the new map keeps them.
        const map = doc.createNode({});
        map.commentBefore = node.commentBefore;
        map.comment = node.comment;
        doc.setIn(section, map);
        continue;
      }
      const found = describeNode(node);
      const where = `${name}: ${section.join('.')}`;
      throw new StartError(`${where}: expected a map of settings, found ${found}`, 2);
    }
  }
}

/**
 * Reads the file (or starts a new document with `header` as its first comment) and sets the
 * owned keys in memory; nothing is written yet, so a bad second file leaves the first as it was.
 * `owned`: [path, value] pairs. `name`: the file as the user knows it, for messages.
 */
export function withOwnedKeys(file, name, header, owned) {
  const isNew = !existsSync(file);
  const doc = isNew ? new Document({}) : parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) {
    const reason = doc.errors[0].message;
    throw new StartError(`${name} is not valid YAML (${reason}); fix or delete it`, 2);
  }
  if (isNew) doc.commentBefore = header;
  checkSections(doc, owned, name);
  for (const [path, value] of owned) doc.setIn(path, value);
  return { write: () => writeFileSync(file, doc.toString()) };
}
