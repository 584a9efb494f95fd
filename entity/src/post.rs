//! A post: content (text, an optional link, optional image URLs) written by one person
//! for some of their integrations, reviewed as a whole.

use sea_orm::entity::prelude::*;

use crate::{
    enums::PostReview,
    ids::{PostId, TenantId, UserId},
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PostId,
    pub tenant_id: TenantId,
    pub author_id: UserId,
    pub text: String,
    pub link: Option<String>,
    /// A JSON array of image URLs.
    pub image_urls: String,
    /// SHA-256 of the canonical content (text, link, images), lowercase hex.
    pub content_hash: String,
    /// What identical content shares however it is cased or spaced (text and link):
    /// deliveries of one key are spread apart in time.
    pub spread_key: String,
    pub review: PostReview,
    pub review_note: Option<String>,
    pub reviewed_by: Option<UserId>,
    pub reviewed_at: Option<DateTimeUtc>,
    /// The content hash the approval names; publishing sends only this content.
    pub approved_hash: Option<String>,
    /// An author approving their own post (self-managed tenants).
    pub self_approved: bool,
    /// When it should leave; `None` until the author picks a time ("now" is a time).
    pub scheduled_at: Option<DateTimeUtc>,
    /// The author's time zone when the post was last written, to show times in.
    pub time_zone: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
