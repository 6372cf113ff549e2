import * as z from 'zod';
import { createSkin, deleteSkin, getHelpPage, getSkin, listSkins, putHelpPage, updateSkin } from '../../../shared/app/settings/skins';
import { BUILT_IN_DESIGNS, helpPageSchema, skinColorsSchema, skinNameSchema } from '../../../shared/domain/controlpanel/skins';
import { reply, route } from '../route';
import { helpPageView, skinDetailView, skinView, skinsView } from '../responses';
import { createSkinFromArchive } from '../../../shared/app/settings/skin-archive';

/** A zip with only colors.json {"link":"#0b4f6c"} (stored), for the OpenAPI example and the tenancy test. */
const EXAMPLE_SKIN_ARCHIVE =
  'UEsDBBQAAAAAAAAAIVz3UtllEgAAABIAAAALAAAAY29sb3JzLmpzb257ImxpbmsiOiIjMGI0ZjZjIn1QSwECFAAUAAAAAAAAACFc91LZZRIAAAASAAAACwAAAAAAAAAAAAAAAAAAAAAAY29sb3JzLmpzb25QSwUGAAAAAAEAAQA5AAAAOwAAAAAA';

const skinParam = z.strictObject({ skinName: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'must be a skin name' }) });

export const settingsRoutes = [
  route({
    method: 'GET',
    path: '/skins',
    access: 'reseller',
    scopes: ['settings:read'],
    tag: 'settings',
    summary: 'The built-in designs and your custom skins',
    status: 200,
    response: skinsView,
    handle: ({ deps, actor }) => listSkins(deps, actor),
  }),
  route({
    method: 'POST',
    path: '/skins',
    access: 'reseller',
    idempotent: true,
    scopes: ['settings:write'],
    tag: 'settings',
    summary: `Create a skin from a built-in design (${BUILT_IN_DESIGNS.join(', ')}) or from another skin`,
    body: z.strictObject({ name: skinNameSchema, from: z.string().min(1).max(40) }),
    example: { name: 'acme-blue', from: 'ocean' },
    status: 201,
    response: skinView,
    handle: ({ deps, actor, body }) => createSkin(deps, actor, body),
  }),
  route({
    method: 'POST',
    path: '/skin-archives',
    access: 'reseller',
    idempotent: true,
    scopes: ['settings:write'],
    tag: 'settings',
    summary:
      'Create from archive: a skin from a zip (base64) holding colors.json and/or logo.gif at its top level (docs/skins.md); colors not in it come from `from` (default: default)',
    body: z.strictObject({
      name: skinNameSchema,
      from: z.string().min(1).max(40).optional(),
      archive: z.string({ error: 'must be a base64 zip archive' }).max(140_000, { error: 'must be at most 96 KB' }),
    }),
    example: { name: 'acme-archive', archive: EXAMPLE_SKIN_ARCHIVE },
    status: 201,
    response: skinView,
    handle: ({ deps, actor, body }) => createSkinFromArchive(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/skins/{skinName}',
    access: 'reseller',
    scopes: ['settings:read'],
    tag: 'settings',
    summary: 'A skin with its colors and logo (base64 GIF)',
    params: skinParam,
    status: 200,
    response: skinDetailView,
    handle: ({ deps, actor, params }) => getSkin(deps, actor, params.skinName as string),
  }),
  route({
    method: 'PATCH',
    path: '/skins/{skinName}',
    access: 'reseller',
    scopes: ['settings:write'],
    tag: 'settings',
    summary: 'Adjust colors (HTML color codes) or upload logo.gif (GIF, 158x67 pixels, base64; null removes it)',
    params: skinParam,
    body: z.strictObject({ colors: skinColorsSchema.optional(), logoGif: z.string().max(100_000).nullable().optional() }),
    example: { colors: { menuBackground: '#0b4f6c', highlight: '#bfe6f5' } },
    status: 200,
    response: skinView,
    handle: ({ deps, actor, params, body }) => updateSkin(deps, actor, params.skinName as string, body),
  }),
  route({
    method: 'DELETE',
    path: '/skins/{skinName}',
    access: 'reseller',
    scopes: ['settings:write'],
    tag: 'settings',
    summary: 'Delete a skin (not the one that is your default design)',
    params: skinParam,
    status: 204,
    response: null,
    handle: async ({ deps, actor, params }) => {
      await deleteSkin(deps, actor, params.skinName as string);
      return reply(204);
    },
  }),
  route({
    method: 'GET',
    path: '/settings/help-page',
    access: 'reseller',
    scopes: ['settings:read'],
    tag: 'settings',
    summary: "The help page shown in your users' interface (HTML)",
    status: 200,
    response: helpPageView,
    handle: ({ deps, actor }) => getHelpPage(deps, actor),
  }),
  route({
    method: 'PUT',
    path: '/settings/help-page',
    access: 'reseller',
    scopes: ['settings:write'],
    tag: 'settings',
    summary: "Set the help page shown in your users' interface (HTML, no tags other than HTML)",
    body: helpPageSchema,
    example: { html: '<p>Support: <a href="mailto:help@acme.example">help@acme.example</a></p>' },
    status: 200,
    response: helpPageView,
    handle: ({ deps, actor, body }) => putHelpPage(deps, actor, body),
  }),
];
