//! What the live source can fill: columns that need a capability are offered and shown only
//! while the source has it, whatever the URL asks. Throughput is the one capability so far;
//! pressure stalls, extended resources and quotas join it with their columns.

/// A capability a column can need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    /// Network and disk throughput.
    Io,
}

/// The capabilities the live source has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps {
    /// It measures network and disk throughput.
    pub io: bool,
}

impl Caps {
    /// True when the source has `cap`.
    pub fn has(self, cap: Cap) -> bool {
        match cap {
            Cap::Io => self.io,
        }
    }

    /// True when a column that needs `needs` can be filled.
    pub fn fill(self, needs: Option<Cap>) -> bool {
        needs.is_none_or(|cap| self.has(cap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_fills_when_its_capability_is_there() {
        let io = Caps { io: true };
        assert!(io.fill(None) && io.fill(Some(Cap::Io)));
        assert!(Caps::default().fill(None));
        assert!(!Caps::default().fill(Some(Cap::Io)));
    }
}
