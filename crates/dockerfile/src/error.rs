//! Parse errors; every variant names the 1-based line it was found on.

/// Why a Dockerfile could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// A heredoc (`<<EOF`) was opened and the file ended before its terminator line.
    #[error("line {line}: heredoc `{name}` is never terminated (no line `{name}` before the end of the file)")]
    UnterminatedHeredoc {
        /// Line of the instruction that opened the heredoc.
        line: usize,
        /// The heredoc delimiter word.
        name: String,
    },
    /// The first word of an instruction is not a Dockerfile instruction.
    #[error("line {line}: unknown instruction `{keyword}`")]
    UnknownInstruction {
        /// Line of the instruction.
        line: usize,
        /// The word as written.
        keyword: String,
    },
    /// The file has no `FROM` instruction at all.
    #[error("no FROM instruction: a Dockerfile must start its first stage with FROM")]
    NoFrom,
    /// An instruction other than `ARG` appears before the first `FROM`.
    #[error("line {line}: {keyword} before the first FROM (only ARG may precede FROM)")]
    InstructionBeforeFrom {
        /// Line of the instruction.
        line: usize,
        /// Its keyword.
        keyword: String,
    },
    /// A `FROM` line is not `FROM [--platform=P] IMAGE [AS NAME]`, or its image is empty.
    #[error("line {line}: bad FROM: {message}")]
    BadFrom {
        /// Line of the FROM instruction.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An instruction that requires the exec form (`SHELL`) is not a JSON array of strings.
    #[error("line {line}: {keyword} needs a JSON array of strings: {message}")]
    BadExecJson {
        /// Line of the instruction.
        line: usize,
        /// Its keyword.
        keyword: String,
        /// The JSON parser's complaint.
        message: String,
    },
    /// A `${` with no closing `}` in an instruction whose variables the builder expands.
    #[error("line {line}: unterminated `${{` in variable substitution")]
    UnterminatedVariable {
        /// Line of the instruction.
        line: usize,
    },
    /// `${VAR:?message}` or `${VAR?message}` with VAR unset (or empty, for `:?`).
    #[error("line {line}: {name}: {message}")]
    RequiredVariable {
        /// Line of the instruction.
        line: usize,
        /// The variable.
        name: String,
        /// The message written after `?`.
        message: String,
    },
    /// The `# escape=` directive names something other than `\` or `` ` ``.
    #[error("line {line}: invalid escape directive `{value}` (must be `\\` or `` ` ``)")]
    InvalidEscape {
        /// Line of the directive.
        line: usize,
        /// The value given.
        value: String,
    },
}

impl ParseError {
    /// The 1-based line the error was found on, if it concerns one line.
    pub fn line(&self) -> Option<usize> {
        match self {
            ParseError::NoFrom => None,
            ParseError::UnterminatedHeredoc { line, .. }
            | ParseError::UnknownInstruction { line, .. }
            | ParseError::InstructionBeforeFrom { line, .. }
            | ParseError::BadFrom { line, .. }
            | ParseError::BadExecJson { line, .. }
            | ParseError::UnterminatedVariable { line }
            | ParseError::RequiredVariable { line, .. }
            | ParseError::InvalidEscape { line, .. } => Some(*line),
        }
    }
}
