// Shared by every component test: the machines running them are shared, so give async queries time.
import { configure } from "@testing-library/react";

configure({ asyncUtilTimeout: 5000 });
