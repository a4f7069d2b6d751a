// Legend names for one chart. A series is named by its metric and a label or two (a mount, an
// interface), but a host whose labels changed over time keeps a series per label set, and
// those would all read "used". Only names that collide get more text: the labels whose
// values differ among the colliding series, so a legend grows no longer than it must.

// Label values may be up to 1,024 characters and hold line breaks (docs/api.md); a legend line
// shows enough of one to tell it from its neighbours.
const VALUE_CHARS = 24;

/**
 * One legend name per series, in the same order. `series` is [{ name, labels }], where `name`
 * is the name the chart would give it alone. Names still equal after the labels (identical
 * label sets) get " #1", " #2", … in the order given.
 */
export function legendNames(series) {
  const named = series.map((one) => one.name);
  for (const group of groupsBy(named)) {
    if (group.length < 2) continue;
    const keys = differingKeys(group.map((index) => series[index].labels ?? {}));
    if (keys.length === 0) continue;
    for (const index of group) named[index] = `${named[index]} (${describe(series[index].labels ?? {}, keys)})`;
  }
  for (const group of groupsBy(named)) {
    if (group.length < 2) continue;
    group.forEach((index, position) => {
      named[index] = `${named[index]} #${position + 1}`;
    });
  }
  return named;
}

/** Indices of equal names, each group in input order. */
function groupsBy(names) {
  const groups = new Map();
  names.forEach((name, index) => groups.set(name, [...(groups.get(name) ?? []), index]));
  return groups.values();
}

/** The label keys, sorted, whose value (or absence) is not the same in every set. */
function differingKeys(labelSets) {
  const keys = new Set(labelSets.flatMap((labels) => Object.keys(labels)));
  return [...keys].filter((key) => new Set(labelSets.map((labels) => ownValue(labels, key))).size > 1).sort();
}

// Own keys only: "constructor" is a valid label name, and every object inherits one.
function ownValue(labels, key) {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

function describe(labels, keys) {
  return keys.map((key) => (Object.hasOwn(labels, key) ? `${key}=${shorten(labels[key])}` : `no ${key}`)).join(', ');
}

function shorten(value) {
  const flat = String(value).replace(/\s+/g, ' ');
  return flat.length > VALUE_CHARS ? `${flat.slice(0, VALUE_CHARS - 1).trimEnd()}…` : flat;
}
