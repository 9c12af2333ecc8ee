export * from "./peer-client.js";
