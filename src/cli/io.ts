// Where CLI output goes; tests pass their own to capture it.
export interface CliIo {
  write: (text: string) => void;
  writeError?: (text: string) => void;
}

export const processIo: CliIo = {
  write: (text) => process.stdout.write(text),
  writeError: (text) => process.stderr.write(text),
};

export function writeError(io: CliIo, text: string): void {
  (io.writeError ?? io.write)(text);
}
