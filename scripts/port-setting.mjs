// HOSTPULSE_PORT for `npm start`, apart from the script so that a test can read values without
// starting anything.

/**
 * The port HOSTPULSE_PORT asks for, or undefined when it is unset or blank. Only decimal digits
 * count: Number() would also take 0x1F90, 1e3, +80 and 80.0, which nobody means as a port.
 * Throws an Error whose message names the variable and quotes the value.
 */
export function parsePortSetting(raw) {
  const text = raw?.trim();
  if (!text) return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new Error(
      `HOSTPULSE_PORT=${JSON.stringify(raw)} is not a port (1 to 65535, decimal digits only); ` +
        'set a port number, or unset it to let npm start pick a free one from 8080 up.',
    );
  }
  return port;
}
