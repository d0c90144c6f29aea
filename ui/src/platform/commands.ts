// Every core command's adapter, built from the generated call map (src/generated/commands.ts):
// positional arguments sent under the names the core declares, through `call`.
import { COMMANDS, type Commands } from "../generated/commands";

export type CallCommand = (command: string, args: Record<string, unknown>) => Promise<unknown>;

export function commandAdapters(call: CallCommand): Commands {
  const adapters: Record<string, (...values: unknown[]) => Promise<unknown>> = {};
  for (const [method, { name, args }] of Object.entries(COMMANDS)) {
    adapters[method] = (...values) => call(name, Object.fromEntries(args.map((arg, i) => [arg, values[i]])));
  }
  return adapters as unknown as Commands;
}
