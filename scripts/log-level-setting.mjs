// HOSTPULSE_LOG_LEVEL for `npm start`, apart from the script so that a test can read values
// without starting anything. The agent takes it over log_level in agent.yaml and hands it to
// pino, which throws on a level it does not know: the agent died at start with only a stack in
// its log. (The collector reads its level from collector.yaml alone.)

// Those of log_level in agent.yaml (docs/agent.md).
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/**
 * The level HOSTPULSE_LOG_LEVEL asks for, without surrounding blanks, or undefined when it is
 * unset or blank. Throws an Error whose message names the variable, quotes the value and lists
 * the levels.
 */
export function parseLogLevelSetting(raw) {
  const text = raw?.trim();
  if (!text) return undefined;
  if (LOG_LEVELS.includes(text)) return text;
  const shown = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
  throw new Error(
    `HOSTPULSE_LOG_LEVEL=${JSON.stringify(shown)} is not a log level ` +
      `(${LOG_LEVELS.slice(0, -1).join(', ')} or ${LOG_LEVELS.at(-1)}); ` +
      'set one of those, or unset it to use log_level from agent.yaml.',
  );
}
