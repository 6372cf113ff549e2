import {
  createTemplate,
  deleteTemplate,
  getDefaultEmail,
  getFreeFieldLabels,
  getTemplate,
  getTemplateEmail,
  listTemplates,
  putDefaultEmail,
  putFreeFieldLabels,
  putTemplateEmail,
  replaceTemplate,
} from '../../../shared/app/controlpanel/templates';
import { fullLimits } from '../../../shared/domain/controlpanel/services';
import { registrationEmailSchema, templateInputSchema, templateReplaceSchema } from '../../../shared/domain/controlpanel/templates';
import { freeFieldLabelsSchema } from '../../../shared/domain/controlpanel/users';
import { reply, route } from '../route';
import { idParam, pageQuery } from './common';
import { page, personalFieldsView, registrationEmailView, templateView } from '../responses';

export const templateIdParam = idParam('templateId', /^t[a-f0-9]{20}$/, 'a template id');

const templateExample = {
  name: 'webpackage1',
  limits: { storageMb: 500, pop3Boxes: 10, emailAddresses: 20, ftpUsers: 2, trafficGb: 10, mysqlDatabases: 1 },
  services: { ftp: true, php: true, ssi: true, webmail: true, spamFilter: true, backup: 'yes' as const },
};
const emailExample = {
  subject: 'Welcome, ##firstName##',
  text: 'Hello ##firstName## ##lastName##,\nyour login is ##username## with the password ##password##.\nDomains: ##domains##',
};

export const templateRoutes = [
  route({
    method: 'POST',
    path: '/templates',
    access: 'reseller',
    idempotent: true,
    tag: 'templates',
    summary: 'Create a template (service package): name, the 12 limits and the service switches',
    body: templateInputSchema,
    example: templateExample,
    status: 201,
    response: templateView,
    handle: ({ deps, actor, body }) => createTemplate(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/templates',
    access: 'reseller',
    tag: 'templates',
    summary: 'List templates',
    query: pageQuery,
    status: 200,
    response: page(templateView),
    handle: ({ deps, actor, query }) => listTemplates(deps, actor, query),
  }),
  route({
    method: 'GET',
    path: '/templates/{templateId}',
    access: 'reseller',
    tag: 'templates',
    summary: 'View a template',
    params: templateIdParam,
    status: 200,
    response: templateView,
    handle: ({ deps, actor, params }) => getTemplate(deps, actor, params.templateId as string),
  }),
  route({
    method: 'PUT',
    path: '/templates/{templateId}',
    access: 'reseller',
    tag: 'templates',
    summary: 'Replace a template (every one of the 12 limits named; switches left out are off); users created from it keep their settings',
    params: templateIdParam,
    body: templateReplaceSchema,
    example: { ...templateExample, limits: fullLimits(templateExample.limits) },
    status: 200,
    response: templateView,
    handle: ({ deps, actor, params, body }) => replaceTemplate(deps, actor, params.templateId as string, body),
  }),
  route({
    method: 'DELETE',
    path: '/templates/{templateId}',
    access: 'reseller',
    tag: 'templates',
    summary: 'Delete a template; users created from it keep their settings',
    params: templateIdParam,
    status: 204,
    response: null,
    handle: async ({ deps, actor, params }) => {
      await deleteTemplate(deps, actor, params.templateId as string);
      return reply(204);
    },
  }),
  route({
    method: 'GET',
    path: '/templates/{templateId}/registration-email',
    access: 'reseller',
    tag: 'templates',
    summary: "The template's registration e-mail (the default text until one is set) and the tags it may use",
    params: templateIdParam,
    status: 200,
    response: registrationEmailView,
    handle: ({ deps, actor, params }) => getTemplateEmail(deps, actor, params.templateId as string),
  }),
  route({
    method: 'PUT',
    path: '/templates/{templateId}/registration-email',
    access: 'reseller',
    tag: 'templates',
    summary: 'E-mail setup: the registration e-mail of users created from this template (##tags## replaced)',
    params: templateIdParam,
    body: registrationEmailSchema,
    example: emailExample,
    status: 200,
    response: registrationEmailView,
    handle: ({ deps, actor, params, body }) => putTemplateEmail(deps, actor, params.templateId as string, body),
  }),
  route({
    method: 'GET',
    path: '/registration-email',
    access: 'reseller',
    tag: 'templates',
    summary: 'The registration e-mail for users without a template ("No template / individual setting")',
    status: 200,
    response: registrationEmailView,
    handle: ({ deps, actor }) => getDefaultEmail(deps, actor),
  }),
  route({
    method: 'PUT',
    path: '/registration-email',
    access: 'reseller',
    tag: 'templates',
    summary: 'Set the registration e-mail for users without a template',
    body: registrationEmailSchema,
    example: emailExample,
    status: 200,
    response: registrationEmailView,
    handle: ({ deps, actor, body }) => putDefaultEmail(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/personal-fields',
    access: 'reseller',
    tag: 'users',
    summary: 'Labels of the three definable personal fields (free1, free2, free3)',
    status: 200,
    response: personalFieldsView,
    handle: ({ deps, actor }) => getFreeFieldLabels(deps, actor),
  }),
  route({
    method: 'PUT',
    path: '/personal-fields',
    access: 'reseller',
    tag: 'users',
    summary: 'Set the labels of the three definable personal fields',
    body: freeFieldLabelsSchema,
    example: { free1: 'Customer number', free2: 'Contract', free3: 'Notes' },
    status: 200,
    response: personalFieldsView,
    handle: ({ deps, actor, body }) => putFreeFieldLabels(deps, actor, body),
  }),
];
