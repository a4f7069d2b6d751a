// A reason for `npm start` to give up that the user can act on: its message is printed as it
// is, with no stack, and the script exits with its code (2 for a bad setting, 1 otherwise)
// after stopping whatever it had started.

export class StartError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.name = 'StartError';
    this.exitCode = exitCode;
  }
}
