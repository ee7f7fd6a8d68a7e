/** The ballast:* operator, holder and benchmark tasks, loaded by hardhat.config.ts. */
import "./status";
import "./params";
import "./holder";
import "./local";
import "./bench-gas";
