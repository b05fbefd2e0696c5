//! The code enums' names: one list per enum of its variants and their stable
//! `snake_case` names (the same as its JSON), from which `as_str`,
//! [`Display`](std::fmt::Display) and [`FromStr`](std::str::FromStr) are
//! made, so that every code enum reads and writes alike.

/// Implements `as_str`, `Display` and `FromStr` for the code enum `$name`,
/// whose variants are listed with their names; `$what` and `$whats` name a
/// code in an error (`status`, `statuses`). `FromStr` takes `-` as `_` and
/// ignores surrounding white space; an unknown name is an `invalid_policy`
/// error that lists the names.
macro_rules! codes {
    ($name:ident, $what:literal, $whats:literal { $($variant:ident => $text:literal,)+ }) => {
        impl $name {
            /// The stable `snake_case` name, the same as the JSON's.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Error;

            fn from_str(text: &str) -> Result<$name, $crate::Error> {
                let name = text.trim().replace('-', "_");
                [$($name::$variant,)+]
                    .into_iter()
                    .find(|code| code.as_str() == name)
                    .ok_or_else(|| $crate::error::Error::unknown_name($what, $whats, text, &[$($text,)+]))
            }
        }
    };
}

pub(crate) use codes;
