// The library entry: the services platforms embed in their own Node back end. Named exports only.
export {};
