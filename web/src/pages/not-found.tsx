import { t } from '../i18n';
import { Page } from '../ui';

export function NotFoundPage() {
  return (
    <Page title={t('notFound.title')}>
      <p>{t('notFound.text')}</p>
    </Page>
  );
}
