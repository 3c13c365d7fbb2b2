// The probe's own activation: reports the mode VS Code runs it in (the extension under test).
exports.activate = (context) => ({ extensionMode: context.extensionMode });
