import { execFileSync } from 'node:child_process';

/**
 * Hosts as Linux network namespaces on one private bridge, for tests that need several machines.
 *
 * The bridge lives in the root namespace with the first address of a 10.213.<n>.0/24 range (the
 * gateway host); each namespace gets a veth into it and one address. Nothing routes anywhere else:
 * the namespaces have no default route and the root namespace only learns the /24 on the bridge,
 * so no traffic leaves this machine. `destroy()` kills whatever still runs inside and removes it all.
 */
export class TestNetwork {
  /** `10.213.<n>`: the test's own /24, derived from the process id so parallel runs do not collide */
  readonly subnet: string;
  readonly gatewayAddress: string;
  private readonly bridge: string;
  private readonly hosts = new Map<string, { namespace: string; address: string; veth: string }>();

  private constructor(private readonly id: number) {
    this.subnet = `10.213.${id}`;
    this.gatewayAddress = `${this.subnet}.1`;
    this.bridge = `fxbr${id}`;
  }

  /** Builds the bridge and one namespace per name (addresses .11, .12, … in order). Requires root. */
  static create(names: readonly string[]): TestNetwork {
    const network = new TestNetwork(20 + (process.pid % 200));
    try {
      ip('netns', 'list');
    } catch (err) {
      throw new Error(`multi-host tests need root and iproute2 (ip netns): ${(err as Error).message}`);
    }
    network.destroy(); // leftovers of a crashed run with the same id
    try {
      network.build(names);
    } catch (err) {
      network.destroy();
      throw new Error(
        `could not build the test network (multi-host tests need root: ip netns add, veth, bridge): ${(err as Error).message}`,
      );
    }
    return network;
  }

  private build(names: readonly string[]): void {
    ip('link', 'add', this.bridge, 'type', 'bridge');
    ip('addr', 'add', `${this.gatewayAddress}/24`, 'dev', this.bridge);
    ip('link', 'set', this.bridge, 'up');
    names.forEach((name, index) => {
      const host = {
        namespace: `flux${this.id}-${name}`,
        address: `${this.subnet}.${11 + index}`,
        veth: `fx${this.id}${name.slice(0, 4)}`,
      };
      this.hosts.set(name, host);
      ip('netns', 'add', host.namespace);
      ip('link', 'add', host.veth, 'type', 'veth', 'peer', 'name', `${host.veth}p`);
      ip('link', 'set', `${host.veth}p`, 'netns', host.namespace);
      ip('link', 'set', host.veth, 'master', this.bridge, 'up');
      ip('-n', host.namespace, 'link', 'set', `${host.veth}p`, 'name', 'eth0');
      ip('-n', host.namespace, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0');
      ip('-n', host.namespace, 'link', 'set', 'eth0', 'up');
      ip('-n', host.namespace, 'link', 'set', 'lo', 'up');
    });
  }

  address(name: string): string {
    return this.host(name).address;
  }

  /** The command prefix that runs a program inside a host (`ip netns exec` execs it in place: same pid). */
  wrapper(name: string): string[] {
    return ['ip', 'netns', 'exec', this.host(name).namespace];
  }

  /** Kills every process still inside the namespaces, deletes them (their veth ends go too) and the bridge. */
  destroy(): void {
    const namespaces = ip('netns', 'list')
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '')
      .filter((name) => name.startsWith(`flux${this.id}-`));
    for (const namespace of namespaces) {
      for (const pid of quiet(() => ip('netns', 'pids', namespace))
        .split('\n')
        .filter(Boolean))
        quiet(() => process.kill(Number(pid), 'SIGKILL'));
      quiet(() => ip('netns', 'del', namespace));
    }
    for (const { veth } of this.hosts.values()) quiet(() => ip('link', 'del', veth));
    quiet(() => ip('link', 'del', this.bridge));
  }

  private host(name: string) {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`no host ${name} in the test network`);
    return host;
  }
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Cleanup of what may already be gone. */
function quiet<T>(action: () => T): T | '' {
  try {
    return action();
  } catch {
    return '';
  }
}
