/** The real signing worker behind a fault switch (fault-switch.ts, imported first so it hears each batch first). */
import './fault-switch.ts';
import '../../../src/commands/signing-worker.ts';
