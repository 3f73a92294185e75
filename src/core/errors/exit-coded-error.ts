/** An error in the operator's words that says how the CLI exits: 2 for what was given wrong, 3 for expired or unreadable. */
export class ExitCodedError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
  }
}
