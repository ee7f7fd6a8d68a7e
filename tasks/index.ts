/** The ballast:* operator and holder tasks, loaded by hardhat.config.ts. */
import "./status";
import "./params";
import "./holder";
import "./local";
