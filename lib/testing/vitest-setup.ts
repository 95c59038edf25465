// Every test file: logs are silent unless a test captures them (captureLogs).
import { setLogLevel } from "../platform/log";

setLogLevel("silent");
