// Placeholder so the target compiles until its stage lands.
enum LumenRedactionPlaceholder {}
