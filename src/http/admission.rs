//! Which connections the listener holds, so that no client can lock the others out:
//! a cap on all open connections, a cap per client address (addresses of trusted
//! proxies excepted: everyone behind them shares their address), and, when the cap is
//! reached, room made by closing the oldest connection that has not yet sent a
//! complete request head. Idle sockets are therefore never what keeps a health check
//! or a real request out. A connection's place is held for as long as anything uses it:
//! the connection itself, and the WebSocket it was upgraded to.

use std::{
    collections::{BTreeMap, HashMap},
    net::IpAddr,
    sync::{Arc, Mutex},
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::config::ServeLimits;

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Every place is taken by connections that are using it.
    Full,
    /// Its address holds as many connections as one address may.
    Address,
}

#[derive(Default)]
struct Held {
    per_address: HashMap<IpAddr, usize>,
    /// Connections that have not sent a complete request head, oldest first, with
    /// the way to close each.
    unproven: BTreeMap<u64, oneshot::Sender<()>>,
    next: u64,
}

/// The connections of one listener.
pub struct Admission {
    limits: ServeLimits,
    places: Arc<Semaphore>,
    held: Mutex<Held>,
}

/// One admitted connection. Dropping the last clone gives its place back.
pub struct Place {
    admission: Arc<Admission>,
    id: u64,
    address: Option<IpAddr>,
    _permit: OwnedSemaphorePermit,
}

/// A [`Place`] as a request extension: the WebSocket a request upgrades to keeps it.
#[derive(Clone)]
pub struct HeldPlace(pub Arc<Place>);

impl Admission {
    pub fn new(limits: ServeLimits) -> Arc<Self> {
        Arc::new(Admission {
            places: Arc::new(Semaphore::new(limits.max_connections.max(1))),
            limits,
            held: Mutex::new(Held::default()),
        })
    }

    fn counted(&self, address: IpAddr) -> bool {
        !self.limits.trusted.iter().any(|net| net.contains(&address))
    }

    /// Admits a connection from `address`: its place, and what closes it when the
    /// listener needs the room before it has sent a request.
    pub async fn admit(
        self: &Arc<Self>,
        address: IpAddr,
    ) -> Result<(Place, oneshot::Receiver<()>), Refused> {
        let counted = self.counted(address);
        if counted && self.open_from(address) >= self.limits.max_per_address {
            return Err(Refused::Address);
        }
        let permit = match self.places.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => self.make_room().await?,
        };
        let mut held = self.held.lock().map_err(|_| Refused::Full)?;
        if counted {
            let open = held.per_address.entry(address).or_default();
            if *open >= self.limits.max_per_address {
                return Err(Refused::Address);
            }
            *open += 1;
        }
        held.next += 1;
        let id = held.next;
        let (close, closed) = oneshot::channel();
        held.unproven.insert(id, close);
        Ok((
            Place {
                admission: self.clone(),
                id,
                address: counted.then_some(address),
                _permit: permit,
            },
            closed,
        ))
    }

    fn open_from(&self, address: IpAddr) -> usize {
        self.held.lock().map_or(0, |held| {
            held.per_address.get(&address).copied().unwrap_or(0)
        })
    }

    /// Closes the oldest connection that has sent no complete request head yet and
    /// takes its place (given back once its task has seen the signal).
    async fn make_room(&self) -> Result<OwnedSemaphorePermit, Refused> {
        let oldest = {
            let mut held = self.held.lock().map_err(|_| Refused::Full)?;
            held.unproven.pop_first()
        };
        let Some((_, close)) = oldest else {
            return Err(Refused::Full);
        };
        let _ = close.send(());
        tokio::time::timeout(
            std::time::Duration::from_secs(1),
            self.places.clone().acquire_owned(),
        )
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or(Refused::Full)
    }
}

impl Place {
    /// The connection sent a complete request head: it is in use, and no longer the
    /// first to be closed for room.
    pub fn proven(&self) {
        if let Ok(mut held) = self.admission.held.lock() {
            held.unproven.remove(&self.id);
        }
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let Ok(mut held) = self.admission.held.lock() else {
            return;
        };
        held.unproven.remove(&self.id);
        if let Some(address) = self.address
            && let Some(open) = held.per_address.get_mut(&address)
        {
            *open = open.saturating_sub(1);
            if *open == 0 {
                held.per_address.remove(&address);
            }
        }
    }
}
