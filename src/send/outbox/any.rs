//! [`AnyChannel`]: every channel Facteur has, as one type, built from an
//! account and its secrets.
//!
//! Deliberately not here: queueing, retries and recovery (the outbox).

use crate::mirror::lifecycle::Vocabulary;
use crate::send::accounts::{self, Account, Kind, SecretStore};
use crate::send::channel::afnor::AfnorChannel;
use crate::send::channel::chorus::ChorusChannel;
use crate::send::channel::mail::MailChannel;
use crate::send::channel::print::PrintChannel;
use crate::send::channel::sandbox::SandboxChannel;
use crate::send::channel::{
    Channel, ChannelError, Delivered, Lookup, Outgoing, PortalEvent, Pulled, Tracked,
};

/// Every channel Facteur has, as one type.
pub enum AnyChannel {
    Sandbox(SandboxChannel),
    Chorus(Box<ChorusChannel>),
    Mail(Box<MailChannel>),
    Print(PrintChannel),
    Plateforme(Box<AfnorChannel>),
}

impl AnyChannel {
    /// The channel for an account, its secrets read from `secrets` now.
    pub fn for_account(
        account: &Account,
        secrets: &dyn SecretStore,
    ) -> std::result::Result<AnyChannel, ChannelError> {
        match account.kind {
            Kind::Sandbox => {
                let default = accounts::sandbox_url();
                let url = account.settings.get("url").unwrap_or(&default);
                Ok(AnyChannel::Sandbox(
                    SandboxChannel::new(&account.name, url)?
                        .serving_home(
                            account
                                .settings
                                .get(accounts::HOME_ID_SETTING)
                                .map(String::as_str),
                        )
                        .with_timeout(account.settings.get("timeout_secs").map(String::as_str))?,
                ))
            }
            Kind::ChorusPro => Ok(AnyChannel::Chorus(Box::new(ChorusChannel::from_account(
                account, secrets,
            )?))),
            Kind::MailDeposit | Kind::Email => Ok(AnyChannel::Mail(Box::new(
                MailChannel::from_account(account, secrets)?,
            ))),
            Kind::Print => Ok(AnyChannel::Print(PrintChannel::from_account(account)?)),
            Kind::Plateforme => Ok(AnyChannel::Plateforme(Box::new(
                AfnorChannel::from_account(account, secrets)?,
            ))),
        }
    }
}

/// Calls the same method on whichever channel it is.
macro_rules! each {
    ($self:ident, $c:ident => $e:expr) => {
        match $self {
            AnyChannel::Sandbox($c) => $e,
            AnyChannel::Chorus($c) => $e,
            AnyChannel::Mail($c) => $e,
            AnyChannel::Print($c) => $e,
            AnyChannel::Plateforme($c) => $e,
        }
    };
}

impl Channel for AnyChannel {
    fn kind(&self) -> &'static str {
        each!(self, c => c.kind())
    }
    fn account(&self) -> &str {
        each!(self, c => c.account())
    }
    fn vocabulary(&self) -> Vocabulary {
        each!(self, c => c.vocabulary())
    }
    fn precheck(&self, out: &Outgoing) -> std::result::Result<(), ChannelError> {
        each!(self, c => c.precheck(out))
    }
    async fn send(&self, out: &Outgoing) -> std::result::Result<Delivered, ChannelError> {
        each!(self, c => c.send(out).await)
    }
    async fn after_delivery(
        &self,
        out: &Outgoing,
        delivered: &Delivered,
    ) -> std::result::Result<Vec<PortalEvent>, ChannelError> {
        each!(self, c => c.after_delivery(out, delivered).await)
    }
    async fn lookup(&self, out: &Outgoing) -> std::result::Result<Lookup, ChannelError> {
        each!(self, c => c.lookup(out).await)
    }
    async fn replay(
        &self,
        portal_ref: &str,
    ) -> std::result::Result<Vec<PortalEvent>, ChannelError> {
        each!(self, c => c.replay(portal_ref).await)
    }
    async fn pull(
        &self,
        tracked: &[Tracked],
        cursor: Option<&str>,
    ) -> std::result::Result<Pulled, ChannelError> {
        each!(self, c => c.pull(tracked, cursor).await)
    }
}
